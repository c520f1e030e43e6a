// A real OpenID provider on loopback for the console's SSO tests: oidc-provider (an
// OpenID-certified implementation) with one confidential client, the console, and
// people known by NIP with the roles the test gives them. Its built-in development
// login page takes any NIP as the login. Started and stopped by tests/api/console_sso.rs:
//
//   node provider.mjs PORT REDIRECT_URI CLIENT_SECRET '{"<nip>": ["agent"]}'
import Provider from "oidc-provider";

const [port, redirectUri, clientSecret, people] = process.argv.slice(2);
const roles = JSON.parse(people);
// Named `localhost`, while the desk is `127.0.0.1`: to the browser they are different
// sites, as the ministry's SSO and the desk are, so cookie rules are tested for real.
const issuer = `http://localhost:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "certdesk-console",
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  scopes: ["openid", "roles"],
  claims: { openid: ["sub"], roles: ["roles"] },
  // The roles in the ID token itself, as the ministry's SSO puts them.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ["loopback-test-only"] },
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, roles: roles[id] ?? [] };
      },
    };
  },
});

provider.listen(Number(port), "127.0.0.1", () => {
  console.log(`listening on ${issuer}`);
});
