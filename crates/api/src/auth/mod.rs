//! Who is calling. Every request but health checks carries `Authorization: Bearer …`:
//! either a JWT (from the ministry's OIDC provider, verified against its JWKS; or, for the
//! embedded setup and tests, signed with a locally configured key) or an integrator's API
//! token (`cdk_…`). The NIP is the JWT's `sub`; roles come from a configurable claim.

mod authenticator;
mod caller;
mod jwks;
mod local_key;

pub(crate) use authenticator::roles_at;
pub use authenticator::{AuthError, Authenticator};
pub use caller::{Caller, scope};
pub use local_key::{LOCAL_ISSUER, LocalKey};
