//! The one harness: `spawn_app(backend)` starts certdesk on a fresh database and gives a
//! typed client for it; `requests` builds what tests send, `flows` the steps they share.

mod flows;
mod outbox;
mod requests;

pub use flows::*;
pub use outbox::*;
pub use requests::*;

use std::path::PathBuf;
use std::time::Duration;

use certdesk_api::ApiSettings;
use certdesk_api::Application;
use certdesk_api::auth::LocalKey;
use certdesk_domain::DeskRules;
use certdesk_domain::lifecycle::Role;
use certdesk_store::{Store, StoreSettings};
use reqwest::multipart::Form;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use secrecy::SecretString;
use serde_json::Value;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an async test body once per backend, as `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::helpers::skip_without_postgres().await {
                    return;
                }
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
    )*};
}

/// The local PostgreSQL the tests use when `TEST_DATABASE_URL` names none.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The PostgreSQL database the tests work in (each in a schema of its own).
pub fn postgres_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned())
}

/// Whether a PostgreSQL test should step aside: only when nobody asked for PostgreSQL
/// (`TEST_DATABASE_URL` unset, as in a plain `cargo test`) and the local one does not
/// answer. It says so once, in one line, past the test harness's capture. When
/// `TEST_DATABASE_URL` is set (as `scripts/test` does), an unreachable database fails the
/// tests instead.
pub async fn skip_without_postgres() -> bool {
    use std::io::Write;
    static SAID: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    if std::env::var_os("TEST_DATABASE_URL").is_some() {
        return false;
    }
    let mut options = sea_orm::ConnectOptions::new(DEFAULT_DATABASE_URL);
    options
        .connect_timeout(Duration::from_secs(2))
        .sqlx_logging(false);
    match Database::connect(options).await {
        Ok(db) => {
            db.close().await.ok();
            false
        }
        Err(_) => {
            SAID.get_or_init(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "PostgreSQL tests skipped: nothing answers at {DEFAULT_DATABASE_URL}. \
                     `bash scripts/test` starts (or installs) it; or set TEST_DATABASE_URL."
                );
            });
            true
        }
    }
}

// Synthetic identities; they pass the structural rules and belong to nobody.
pub const REQUESTER_NIP: &str = "199005172015031001";
pub const REQUESTER_NIK: &str = "3174051705900001";
pub const OFFICER_NIP: &str = "197501012000031002";
pub const OTHER_UNIT_OFFICER_NIP: &str = "197803152003122001";
pub const INACTIVE_OFFICER_NIP: &str = "196901011995031001";
pub const DJPPR_OFFICER_NIP: &str = "198001012005011003";
pub const AGENT_NIP: &str = "198501012010011001";
pub const OTHER_AGENT_NIP: &str = "198601012011011002";
pub const SUPERVISOR_NIP: &str = "197001011995031003";

/// Another synthetic requester: same birth date as the first, another sequence number.
pub fn requester_nip(n: u32) -> String {
    format!("1990051720150310{n:02}")
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// A separate connection to the app's database, for asserting on what was stored.
    pub db: DatabaseConnection,
    pub storage: PathBuf,
    pub settings: ApiSettings,
    /// The desk's rules the app runs by.
    pub rules: DeskRules,
    /// The database and storage the app runs on, for opening a store of one's own.
    pub store_settings: StoreSettings,
    /// PostgreSQL only: the test's own schema, dropped when the test ends.
    schema: Option<String>,
    key: LocalKey,
    _dir: tempfile::TempDir,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, customise: impl FnOnce(&mut ApiSettings)) -> TestApp {
    let mut fresh = fresh_desk(backend).await;
    customise(&mut fresh.settings);
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("info"))
            .with_test_writer()
            .try_init();
    }

    install_tls_provider();
    let store = Store::open(&fresh.store_settings)
        .await
        .expect("store opens");
    let app = Application::build(
        &fresh.settings,
        &fresh.rules,
        service_levels(&fresh.rules),
        store,
    )
    .await
    .expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    fresh.into_app(address).await
}

/// The service levels a desk of `rules` measures with, on the shipped calendar.
pub fn service_levels(rules: &DeskRules) -> certdesk_domain::service_level::ServiceLevels {
    certdesk_domain::service_level::ServiceLevels::new(
        rules.service_levels.clone(),
        certdesk_domain::calendar::BusinessCalendar::shipped(rules.calendar.clone()),
    )
}

/// The process's TLS provider, as the binary picks it (reqwest and sqlx share rustls).
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A loopback port nobody listens on (for a server a test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// The `certdesk serve` process a test started, with its log (JSON lines, standard
/// error) in a file; killed when dropped.
pub struct ServerProcess {
    child: std::process::Child,
    log: PathBuf,
}

impl ServerProcess {
    /// Stops the server and returns everything it logged.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.log).expect("server log")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The real binary, `certdesk serve`, on a fresh database, configured the way an
/// operator would (environment variables; `env` adds to or overrides the test's), logging
/// JSON at `info` to a file.
pub async fn spawn_binary(backend: Backend, env: &[(&str, &str)]) -> (TestApp, ServerProcess) {
    use secrecy::ExposeSecret;
    install_tls_provider();
    let fresh = fresh_desk(backend).await;
    let port = free_port();
    let log = fresh.dir.path().join("server.log");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"));
    command
        .arg("serve")
        .current_dir(fresh.dir.path())
        .env_clear()
        .env(
            "CERTDESK_DATABASE__URL",
            fresh.store_settings.database.url.expose_secret(),
        )
        .env("CERTDESK_STORAGE__PATH", &fresh.store_settings.storage.path)
        .env(
            "CERTDESK_ENCRYPTION__KEY_FILE",
            &fresh.store_settings.encryption.key_file,
        )
        .env(
            "CERTDESK_AUTH__LOCAL_KEY_FILE",
            fresh.dir.path().join("jwt.key"),
        )
        .env("CERTDESK_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("CERTDESK_SERVER__WORKERS", "1")
        .env("CERTDESK_OUTBOX__IN_PROCESS", "false")
        .env("CERTDESK_LOG__FORMAT", "json")
        .env("CERTDESK_LOG__FILTER", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"));
    if let Some(schema) = &fresh.store_settings.database.schema {
        command.env("CERTDESK_DATABASE__SCHEMA", schema);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let mut server = ServerProcess {
        child: command.spawn().expect("certdesk serve starts"),
        log,
    };
    let address = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(Some(status)) = server.child.try_wait() {
            let log = std::fs::read_to_string(&server.log).unwrap_or_default();
            panic!("certdesk serve exited ({status}) before it was ready: {log}");
        }
        let live = client.get(format!("{address}/health/ready")).send().await;
        if live.is_ok_and(|response| response.status().is_success()) {
            return (fresh.into_app(address).await, server);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("certdesk serve did not become ready");
}

/// A fresh database (a file, or a schema of its own) and storage, and settings for both.
struct FreshDesk {
    dir: tempfile::TempDir,
    settings: ApiSettings,
    rules: DeskRules,
    store_settings: StoreSettings,
    url: String,
    schema: Option<String>,
}

async fn fresh_desk(backend: Backend) -> FreshDesk {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = ApiSettings::default();
    let mut store_settings = StoreSettings::default();
    settings.server.listen = "127.0.0.1:0".parse().unwrap();
    settings.server.workers = 1;
    store_settings.storage.path = dir.path().join("blobs");
    store_settings.encryption.key_file = dir.path().join("master.keys");
    settings.auth.local_key_file = Some(dir.path().join("jwt.key"));
    // Most tests file and fail to authenticate far faster than anyone would; the rate
    // limits have their own tests, which switch them back on.
    settings.rate_limits.enabled = false;
    // The test binary is not `certdesk`: PDFs are read by the one cargo built.
    settings.pdf.reader = Some(env!("CARGO_BIN_EXE_certdesk").into());
    let (url, schema) = match backend {
        Backend::Sqlite => (
            format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("certdesk.db").display()
            ),
            None,
        ),
        Backend::Postgres => {
            let base = postgres_url();
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&base).await.unwrap_or_else(|e| {
                panic!(
                    "cannot connect to PostgreSQL at {base} ({e}); `bash scripts/test` starts \
                     or installs it, or set TEST_DATABASE_URL"
                )
            });
            admin
                .execute_unprepared(&format!("CREATE SCHEMA \"{schema}\""))
                .await
                .expect("create test schema");
            admin.close().await.ok();
            (base, Some(schema))
        }
    };
    store_settings.database.url = SecretString::from(url.clone());
    store_settings.database.schema = schema.clone();
    store_settings.database.max_connections = 5;
    FreshDesk {
        dir,
        settings,
        rules: DeskRules::default(),
        store_settings,
        url,
        schema,
    }
}

impl FreshDesk {
    /// The client side, once a server answers at `address` (and has made the tables).
    async fn into_app(self, address: String) -> TestApp {
        let mut options = sea_orm::ConnectOptions::new(self.url);
        options.max_connections(2).sqlx_logging(false);
        if let Some(schema) = self.schema.clone() {
            options.set_schema_search_path(schema);
        }
        let db = Database::connect(options).await.expect("test connection");
        seed_officers(&db).await;
        let key = LocalKey::load_or_create(self.dir.path().join("jwt.key").as_path())
            .expect("signing key");
        TestApp {
            address,
            client: reqwest::Client::new(),
            db,
            storage: self.dir.path().join("blobs"),
            settings: self.settings,
            rules: self.rules,
            store_settings: self.store_settings,
            schema: self.schema,
            key,
            _dir: self.dir,
        }
    }
}

/// The responsible officers every test can name.
async fn seed_officers(db: &DatabaseConnection) {
    for (nip, unit, email, active) in [
        (
            OFFICER_NIP,
            "Sekretariat Jenderal",
            "kepala.upk.setjen@kemenkeu.go.id",
            true,
        ),
        (
            OTHER_UNIT_OFFICER_NIP,
            "Direktorat Jenderal Pajak",
            "kepala.upk.pajak@kemenkeu.go.id",
            true,
        ),
        (
            INACTIVE_OFFICER_NIP,
            "Sekretariat Jenderal",
            "mantan.upk@kemenkeu.go.id",
            false,
        ),
        (
            DJPPR_OFFICER_NIP,
            "Dirjen Pengelolaan dan Pembiayaan Risiko",
            "kepala.upk.djppr@kemenkeu.go.id",
            true,
        ),
    ] {
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "INSERT INTO officers (nip, name, unit, email, active, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            [
                nip.into(),
                "Kepala UPK Contoh".into(),
                unit.into(),
                email.into(),
                active.into(),
                chrono::Utc::now().into(),
            ],
        ))
        .await
        .expect("seed officer");
    }
}

/// Tests clean up after themselves: a PostgreSQL test's schema goes with it, so the
/// database does not grow run after run. A failed test keeps its schema, and says which,
/// for a look at what it left.
impl Drop for TestApp {
    fn drop(&mut self) {
        let Some(schema) = self.schema.take() else {
            return;
        };
        if std::thread::panicking() {
            eprintln!("the failed test's data is kept in schema {schema}");
            return;
        }
        let url = postgres_url();
        // Drop runs inside the test's runtime, which cannot be blocked on: a thread of
        // its own, with a runtime of its own, does the work.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let admin = Database::connect(&url).await.map_err(|e| e.to_string())?;
                let outcome = admin
                    .execute_unprepared(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string());
                admin.close().await.ok();
                outcome
            })
        })
        .join();
        if let Ok(Err(error)) | Err(error) = dropped.map_err(|_| "panicked".to_owned()) {
            eprintln!("could not drop a test schema: {error}");
        }
    }
}

impl TestApp {
    /// A store of the test's own on the app's database and storage, as the worker or a
    /// CLI command would open it.
    pub async fn open_store(&self) -> Store {
        Store::open(&self.store_settings)
            .await
            .expect("store opens")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// A JWT for `nip` with `roles`, signed with the app's local key.
    pub fn token(&self, nip: &str, roles: &[Role]) -> String {
        self.key
            .mint(&self.settings.auth, nip, roles, Duration::from_secs(600))
            .expect("mint token")
    }

    /// The main test requester's token.
    pub fn requester_token(&self) -> String {
        self.token(REQUESTER_NIP, &[Role::Requester])
    }

    pub async fn post_ticket(&self, form: Form) -> reqwest::Response {
        self.post_ticket_as(&self.requester_token(), form).await
    }

    pub async fn post_ticket_as(&self, token: &str, form: Form) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/tickets"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("request")
    }

    pub async fn validate_ticket(&self, form: Form) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/tickets/validate"))
            .bearer_auth(self.requester_token())
            .multipart(form)
            .send()
            .await
            .expect("request")
    }

    /// GET as the main test requester.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.get_as(&self.requester_token(), path).await
    }

    pub async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// Takes an action on a ticket, with `If-Match` set to `version`.
    pub async fn act(
        &self,
        token: &str,
        number: &str,
        version: i64,
        action: Value,
    ) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/v1/tickets/{number}/actions")))
            .bearer_auth(token)
            .header("If-Match", format!("\"{version}\""))
            .json(&action)
            .send()
            .await
            .expect("request")
    }

    /// Rows in a table, counted directly in the database.
    pub async fn count(&self, table: &str) -> i64 {
        self.count_where(table, "1 = 1").await
    }

    /// Rows in a table that meet an SQL condition (test-written, never user input).
    pub async fn count_where(&self, table: &str, condition: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table} WHERE {condition}"),
            ))
            .await
            .expect("count query")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("count")
    }

    /// Files under the attachment storage.
    /// Every file under the storage folder.
    pub fn stored_file_paths(&self) -> Vec<PathBuf> {
        fn walk(dir: &std::path::Path, paths: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if entry.path().is_dir() {
                    walk(&entry.path(), paths);
                } else {
                    paths.push(entry.path());
                }
            }
        }
        let mut paths = Vec::new();
        walk(&self.storage, &mut paths);
        paths
    }

    /// The names of the files under the storage folder.
    pub fn stored_file_names(&self) -> Vec<String> {
        fn walk(dir: &std::path::Path, names: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if entry.path().is_dir() {
                    walk(&entry.path(), names);
                } else {
                    names.push(entry.file_name().to_string_lossy().into_owned());
                }
            }
        }
        let mut names = Vec::new();
        walk(&self.storage, &mut names);
        names
    }

    pub fn stored_files(&self) -> usize {
        fn walk(dir: &std::path::Path) -> usize {
            std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .flatten()
                        .map(|e| {
                            if e.path().is_dir() {
                                walk(&e.path())
                            } else {
                                1
                            }
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        walk(&self.storage)
    }
}

/// Runs `certdesk token …` against the test app's database.
pub fn certdesk_token(app: &TestApp, args: &[&str]) -> std::process::Output {
    certdesk_cli(app, &[&["token"], args].concat())
}

/// Runs `certdesk …` against the test app's database, storage and keys.
pub fn certdesk_cli(app: &TestApp, args: &[&str]) -> std::process::Output {
    certdesk_command(app, args).output().unwrap()
}

/// Runs `certdesk …` as `certdesk_cli` does, with `input` on its standard input (as an
/// MTA's pipe transport delivers a message).
pub fn certdesk_with_input(app: &TestApp, args: &[&str], input: &[u8]) -> std::process::Output {
    run_with_input(&mut certdesk_command(app, args), input)
}

/// Runs `command` with `input` on its standard input, and waits for it.
pub fn run_with_input(command: &mut std::process::Command, input: &[u8]) -> std::process::Output {
    use std::io::Write;
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// `certdesk …` with the test app's database, storage and keys in its environment.
pub fn certdesk_command(app: &TestApp, args: &[&str]) -> std::process::Command {
    use secrecy::ExposeSecret;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_certdesk"));
    command
        .args(args)
        .env(
            "CERTDESK_DATABASE__URL",
            app.store_settings.database.url.expose_secret(),
        )
        .env("CERTDESK_STORAGE__PATH", &app.storage)
        .env(
            "CERTDESK_ENCRYPTION__KEY_FILE",
            &app.store_settings.encryption.key_file,
        )
        .env("CERTDESK_LOG__FILTER", "warn");
    if let Some(schema) = &app.store_settings.database.schema {
        command.env("CERTDESK_DATABASE__SCHEMA", schema);
    }
    command
}

/// An integrator's API token with `scopes`, created with `certdesk token create`.
pub fn create_api_token(app: &TestApp, name: &str, scopes: &[&str]) -> String {
    let mut args = vec!["create", "--name", name];
    for scope in scopes {
        args.extend(["--scope", scope]);
    }
    let output = certdesk_token(app, &args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// A problem+json body, checked to be one.
pub async fn problem(response: reqwest::Response) -> Value {
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert_eq!(
        content_type, "application/problem+json",
        "error responses are problem+json"
    );
    response.json().await.expect("problem body")
}

/// `(field, code)` of every error in a problem or validation report.
pub fn errors(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .expect("errors array")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}
