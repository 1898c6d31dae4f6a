//! `spawn_app()`: a fresh database, a signing key, a server on a random port, and
//! helpers to act as billing staff, the delivery worker and the customer.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;

use billpass::app::{delivery_config, minter, web_config};
use billpass::billing::brands::Brands;
use billpass::billing::import;
use billpass::cli::{self, Cli};
use billpass::config::Settings;
use billpass::cycle;
use billpass::cycle::runner::Runner;
use billpass::delivery::staff_sign_in::StaffSignIns;
use billpass::delivery::{EmailSender, Outbox};
use billpass::domain::Role;
use billpass::domain::{AccountId, Channel, CycleId};
use billpass::domain::{Actor, EmailAddress, Reason};
use billpass::infra::db;
use billpass::links::{Minted, Minter};
use billpass::links::{requests as link_requests, staff as links};
use billpass::staff::keys::{self as staff, KeyName};
use billpass::staff::members;
use billpass::tokens::keys;
use billpass::web::{AppState, Application};
use clap::Parser;
use sqlx::PgPool;

/// The PostgreSQL server tests create their databases on.
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_SERVER").unwrap_or_else(|_| "postgres://127.0.0.1:5432".into())
}

/// A new, empty, migrated database.
pub async fn fresh_database() -> (String, PgPool) {
    let name = format!("billpass_test_{}", uuid_like());
    let url = format!("{}/{name}", server_url());
    let pool = db::connect_and_migrate(&url).await.expect("test database");
    (url, pool)
}

fn uuid_like() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().r#gen();
    format!("{n:016x}")
}

/// Settings as the command line would build them, with test paths.
pub fn settings(database_url: &str, dir: &Path, extra: &[&str]) -> Settings {
    let mut args: Vec<String> = vec![
        "billpass".into(),
        "--database-url".into(),
        database_url.into(),
        "--keys-dir".into(),
        dir.join("keys").display().to_string(),
        "--outbox-dir".into(),
        dir.join("outbox").display().to_string(),
        "--brand".into(),
        "Northwind Energy".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.insert(1, "serve".into());
    match Cli::try_parse_from(args).expect("test settings").command {
        cli::Command::Serve { settings, .. } => *settings,
        _ => unreachable!("serve was asked for"),
    }
}

pub struct TestApp {
    pub address: String,
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub minter: Minter,
    /// The brands the app's pages and messages wear, shared with it.
    pub brands: Brands,
    pub dir: tempfile::TempDir,
    /// A [`plain_client`].
    pub client: reqwest::Client,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[&str]) -> TestApp {
    spawn_app_on(TcpListener::bind("127.0.0.1:0").unwrap(), extra).await
}

/// An app serving on `listener`, bound beforehand so that its address can be given out
/// before it starts (an identity provider registers its callback).
pub async fn spawn_app_on(listener: TcpListener, extra: &[&str]) -> TestApp {
    let (url, pool) = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    keys::generate(&dir.path().join("keys"), keys::KeyAlgorithm::EdDsa).unwrap();
    let port = listener.local_addr().unwrap().port();
    let public_url = format!("http://127.0.0.1:{port}");
    let mut args = extra.to_vec();
    if !args.contains(&"--public-url") {
        args.extend(["--public-url", &public_url]);
    }
    let settings = Arc::new(settings(&url, dir.path(), &args));
    let minter = minter(&settings.links).unwrap();
    let brands = billpass::app::brands(&pool, &settings).await.unwrap();
    let config = web_config(&settings).unwrap();
    let state = AppState::new(pool.clone(), minter.clone(), brands.clone(), config).unwrap();
    let app = Application::build(state, listener).unwrap();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: public_url,
        pool,
        settings,
        minter,
        brands,
        dir,
        client: plain_client(),
    }
}

pub const CUSTOMERS_CSV: &str = "\
account_id,name,email,phone,channel,locale
ACC-1,Jane Doe,jane@example.com,,email,en-US
ACC-2,Sam Texter,,+15550100123,sms,en-US
ACC-3,Yuki Tanaka,yuki@example.jp,+819012345678,,ja-JP
";

/// Two cycles for ACC-1 (USD) and ACC-2 (EUR), one for ACC-3 (JPY).
pub const BILLS_JSONL: &str = r#"{"account_id":"ACC-1","cycle":"2026-10","period_start":"2026-09-01","period_end":"2026-09-30","issued_on":"2026-10-02","due_on":"2026-10-23","currency":"USD","amount_due":"120.50","previous_balance":"100.00","payments":"-100.00","lines":[{"description":"Energy charge","quantity":"540","unit":"kWh","amount":"88.10"},{"description":"Delivery","quantity":"1","unit":"month","amount":"32.40"}],"usage":[{"period":"2026-08","quantity":"600","unit":"kWh"},{"period":"2026-09","quantity":"540","unit":"kWh"}]}
{"account_id":"ACC-1","cycle":"2026-11","period_start":"2026-10-01","period_end":"2026-10-31","issued_on":"2026-11-02","due_on":"2026-11-23","currency":"USD","amount_due":"142.17","previous_balance":"120.50","payments":"-120.50","lines":[{"description":"Energy charge","quantity":"612","unit":"kWh","amount":"98.40"},{"description":"Delivery","quantity":"1","unit":"month","amount":"32.40"},{"description":"Tax: Sales tax","amount":"11.37"}],"usage":[{"period":"2026-08","quantity":"600","unit":"kWh"},{"period":"2026-09","quantity":"540","unit":"kWh"},{"period":"2026-10","quantity":"612","unit":"kWh"}]}
{"account_id":"ACC-2","cycle":"2026-10","period_start":"2026-09-01","period_end":"2026-09-30","issued_on":"2026-10-02","due_on":"2026-10-23","currency":"EUR","amount_due":"-5.00","previous_balance":"40.00","payments":"-80.00","lines":[{"description":"Water","quantity":"9","unit":"m³","amount":"35.00"}],"usage":[]}
{"account_id":"ACC-2","cycle":"2026-11","period_start":"2026-10-01","period_end":"2026-10-31","issued_on":"2026-11-02","due_on":"2026-11-23","currency":"EUR","amount_due":"1234.56","previous_balance":"-5.00","payments":"0","lines":[{"description":"Water","quantity":"12","unit":"m³","amount":"1239.56"}],"usage":[]}
{"account_id":"ACC-3","cycle":"2026-11","period_start":"2026-10-01","period_end":"2026-10-31","issued_on":"2026-11-02","due_on":"2026-11-23","currency":"JPY","amount_due":"12840","previous_balance":"0","payments":"0","lines":[{"description":"電気料金","quantity":"300","unit":"kWh","amount":"12840"}],"usage":[]}
"#;

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn outbox(&self) -> PathBuf {
        self.dir.path().join("outbox")
    }

    pub fn keys_dir(&self) -> PathBuf {
        self.dir.path().join("keys")
    }

    /// Imports the standard customers and bills.
    pub async fn load_examples(&self) {
        self.import_customers(CUSTOMERS_CSV).await;
        self.import_bills(BILLS_JSONL).await;
    }

    /// Imports customers from CSV as the command line does.
    pub async fn import_customers(&self, csv: &str) {
        import::customers(
            &self.pool,
            import::CustomerFormat::Csv,
            csv.as_bytes(),
            &Actor::command_line(),
        )
        .await
        .expect("customers");
    }

    /// Imports bills from JSON lines as the command line does.
    pub async fn import_bills(&self, jsonl: &str) {
        import::bills(&self.pool, jsonl.as_bytes(), &Actor::command_line())
            .await
            .expect("bills");
    }

    pub async fn run_cycle(&self, cycle: &str) -> cycle::RunProgress {
        billpass::cli::run_cycle(
            &self.pool,
            &self.minter,
            &self.settings.runs,
            &CycleId::parse(cycle).unwrap(),
            &Actor::command_line(),
        )
        .await
        .expect("cycle run")
    }

    pub async fn resend(&self, account: &str, channel: Option<Channel>) -> Minted {
        self.resend_with(&self.minter, account, channel).await
    }

    /// A resend signed by another process's minter (as `billpass resend` would).
    pub async fn resend_with(
        &self,
        minter: &Minter,
        account: &str,
        channel: Option<Channel>,
    ) -> Minted {
        links::resend(
            &self.pool,
            minter,
            &AccountId::parse(account).unwrap(),
            channel,
            &Actor::command_line(),
            None,
        )
        .await
        .expect("resend")
    }

    /// Revokes the customer's current link, as `billpass revoke` does.
    pub async fn revoke(&self, account: &str) {
        links::revoke(
            &self.pool,
            &AccountId::parse(account).unwrap(),
            &Actor::command_line(),
            &Reason::parse("the customer asked").unwrap(),
        )
        .await
        .expect("revoke");
    }

    /// A new staff API key, as `billpass staff create-key --name NAME --role ROLE` makes it.
    pub async fn staff_key(&self, name: &str, role: Role) -> String {
        let (_, key) = staff::create_key(
            &self.pool,
            &KeyName::parse(name).unwrap(),
            role,
            &Actor::command_line(),
        )
        .await
        .expect("staff key");
        key.expose().to_owned()
    }

    /// A staff API request carrying `key`.
    pub fn api(&self, method: reqwest::Method, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path)).bearer_auth(key)
    }

    /// Works every due cycle run to its end, as `billpass serve`'s scheduler does.
    pub async fn work_due_runs(&self) {
        let runner = Runner::new(
            self.pool.clone(),
            self.minter.clone(),
            self.settings.runs.run_lease,
        );
        while runner.work_due().await.expect("cycle run").is_some() {}
    }

    /// The published JWK Set.
    pub async fn jwks(&self) -> serde_json::Value {
        let response = self
            .client
            .get(self.url("/.well-known/jwks.json"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        response.json().await.unwrap()
    }

    /// Every delivery's channel, status, attempts, last error and the delivery it replaces,
    /// oldest first.
    pub async fn delivery_rows(&self) -> Vec<(String, String, i32, Option<String>, Option<i64>)> {
        sqlx::query_as(
            "SELECT channel, status, attempts, last_error, fallback_of FROM deliveries ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .unwrap()
    }

    /// A sender with this app's settings; `serve` keeps one, with its SMTP connections.
    pub fn sender(&self) -> Arc<Outbox> {
        let config = delivery_config(&self.settings).unwrap();
        let brands = self.brands.clone();
        Arc::new(Outbox::new(self.pool.clone(), &config, self.minter.clone(), brands).unwrap())
    }

    /// Sends everything queued, as the worker in `billpass serve` would.
    pub async fn dispatch_all_pending(&self) {
        self.sender().dispatch_due().await.unwrap();
    }

    /// Types `address` on `/link` and presses "Send me a new link".
    pub async fn ask_for_link(&self, address: &str) -> reqwest::Response {
        self.client
            .post(self.url("/link"))
            .form(&[("address", address)])
            .send()
            .await
            .unwrap()
    }

    /// Answers the waiting "get a new link" requests and sends the links they queued, as
    /// the workers in `billpass serve` would.
    pub async fn answer_link_requests(&self) {
        let daily_limit = self.settings.limits.renew_daily_limit;
        link_requests::answer_pending(&self.pool, &self.minter, daily_limit)
            .await
            .unwrap();
        self.dispatch_all_pending().await;
    }

    /// Makes `email` a member of staff with `role`, as `billpass staff invite` does.
    pub async fn invite(&self, email: &str, role: Role) {
        let email = EmailAddress::parse(email).unwrap();
        members::invite(&self.pool, &email, role, &Actor::command_line())
            .await
            .unwrap();
    }

    /// Sends the staff sign-in links asked for, as the workers in `billpass serve` would.
    pub async fn answer_staff_sign_ins(&self) {
        let config = delivery_config(&self.settings).unwrap();
        StaffSignIns {
            pool: self.pool.clone(),
            minter: self.minter.clone(),
            email: EmailSender::new(&config).unwrap(),
            brand: self.settings.brand.name.clone(),
        }
        .answer_pending()
        .await
        .unwrap();
    }

    /// Asks for a sign-in link on `/staff/sign-in` and has it sent: the link.
    pub async fn staff_sign_in_link(&self, email: &str) -> String {
        let asked = self
            .client
            .post(self.url("/staff/sign-in"))
            .form(&[("address", email)])
            .send()
            .await
            .unwrap();
        assert_eq!(asked.status().as_u16(), 200);
        self.answer_staff_sign_ins().await;
        let link = self.link_sent_to(email);
        assert!(link.contains("/staff/link/"), "{link}");
        link
    }

    /// Signs `email` in to the console by an emailed link: the session's `Cookie` value.
    pub async fn staff_session(&self, email: &str) -> String {
        let link = self.staff_sign_in_link(email).await;
        let signed_in = self.client.post(&link).send().await.unwrap();
        assert_eq!(signed_in.status().as_u16(), 200, "POST {link}");
        cookie_named(&signed_in, "billpass_staff").expect("a console session cookie")
    }

    /// `GET` a console page with a session cookie.
    pub async fn console_get(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
    }

    /// The newest link sent to `address`, read from the outbox files as the customer would.
    pub fn link_sent_to(&self, address: &str) -> String {
        latest_link_in_outbox(&self.outbox(), address)
            .unwrap_or_else(|| panic!("no message to {address} in the outbox"))
    }

    /// The customer's journey: open the link, press the button, follow to the bill.
    pub async fn open_bill(&self, link: &str) -> (reqwest::Response, Option<String>) {
        let opened = self.client.post(link).send().await.unwrap();
        assert_eq!(opened.status().as_u16(), 303, "POST {link}");
        let cookie = session_cookie(&opened).expect("a session cookie");
        let bill = self.get_bill(Some(&cookie)).await;
        (bill, Some(cookie))
    }

    /// Presses "Send me a new link" on the page of `link`.
    pub async fn renew(&self, link: &str) -> reqwest::Response {
        self.client
            .post(format!("{link}/renew"))
            .send()
            .await
            .unwrap()
    }

    pub async fn get_bill(&self, cookie: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(self.url("/bill"));
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send().await.unwrap()
    }
}

/// A client that does not follow redirects and keeps no cookies: tests look at each answer.
pub fn plain_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `billpass_session=…` from a response's `Set-Cookie`.
pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
    cookie_named(response, "billpass_session")
}

/// `NAME=…` from a response's `Set-Cookie`.
pub fn cookie_named(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

/// Finds the last link to `address` in `.eml` and `.sms` files (newest file last).
pub fn latest_link_in_outbox(outbox: &Path, address: &str) -> Option<String> {
    let mut files: Vec<_> = std::fs::read_dir(outbox)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| (e.metadata().unwrap().modified().unwrap(), e.path()))
        .collect();
    files.sort();
    files.iter().rev().find_map(|(_, path)| {
        let raw = std::fs::read_to_string(path).ok()?;
        let to_us = match path.extension()?.to_str()? {
            "sms" => raw.lines().next()? == address,
            "eml" => raw
                .lines()
                .any(|l| l.starts_with("To:") && l.contains(address)),
            _ => false,
        };
        if to_us { link_in_message(&raw) } else { None }
    })
}

/// The bill link in a message as sent (an email's quoted-printable text part, or an SMS).
pub fn link_in_message(raw: &str) -> Option<String> {
    // Undo quoted-printable soft line breaks so the link is whole again.
    let text = raw.replace("=\r\n", "").replace("=\n", "");
    let start = text.find("http://")?;
    let link: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(*c))
        .collect();
    Some(link)
}

/// The status in a page's `data-link-status`.
pub fn link_status(body: &str) -> Option<&str> {
    let start = body.find("data-link-status=\"")? + "data-link-status=\"".len();
    body[start..].split('"').next()
}

/// The `billpass` binary with its own database, keys, outbox and port.
pub struct Billpass {
    pub env: Vec<(String, String)>,
    pub dir: tempfile::TempDir,
}

impl Billpass {
    pub async fn new() -> (Self, sqlx::PgPool) {
        let (url, pool) = fresh_database().await;
        (Self::with_database(&url), pool)
    }

    /// The binary on the database at `url`.
    pub fn with_database(url: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let env = vec![
            ("DATABASE_URL".into(), url.to_owned()),
            (
                "BILLPASS_KEYS_DIR".into(),
                dir.path().join("keys").display().to_string(),
            ),
            (
                "BILLPASS_OUTBOX_DIR".into(),
                dir.path().join("outbox").display().to_string(),
            ),
            ("BILLPASS_LISTEN".into(), format!("127.0.0.1:{port}")),
            (
                "BILLPASS_PUBLIC_URL".into(),
                format!("http://127.0.0.1:{port}"),
            ),
            ("RUST_LOG".into(), "info".into()),
        ];
        Self { env, dir }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_billpass"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in &self.env {
            command.env(k, v);
        }
        command
    }

    pub fn run(&self, args: &[&str]) -> std::process::Output {
        self.command(args).output().unwrap()
    }

    pub fn file(&self, name: &str, contents: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path.display().to_string()
    }

    /// Starts `command` (a `serve`) with its stderr in `log`, and waits until it answers.
    pub async fn spawn_serving(&self, mut command: Command, log: &Path) -> KillOnDrop {
        let child = command
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        let child = KillOnDrop(child);
        self.wait_until_up(log).await;
        child
    }

    /// Waits until the server answers `/healthz`, for up to 10 s; `log` says why not.
    pub async fn wait_until_up(&self, log: &Path) {
        let health = format!("{}/healthz", self.base());
        for _ in 0..200 {
            if reqwest::get(&health).await.is_ok() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "serve did not come up: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
    }

    /// A signing key and the standard customers and bills, as an operator sets them up.
    pub fn load_examples(&self) {
        assert!(self.run(&["keys", "generate"]).status.success());
        let customers = self.file("customers.csv", CUSTOMERS_CSV);
        let bills = self.file("bills.jsonl", BILLS_JSONL);
        for (kind, file) in [("customers", customers), ("bills", bills)] {
            let out = self.run(&["import", kind, &file]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }

    /// The newest link sent to `address` through the outbox, waiting for the worker.
    pub async fn link_sent_to(&self, address: &str) -> String {
        let outbox = self.dir.path().join("outbox");
        for _ in 0..100 {
            if let Some(link) = latest_link_in_outbox(&outbox, address) {
                return link;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no message to {address} in the outbox");
    }

    /// A staff API key made with `billpass staff create-key` (its last line).
    pub fn staff_key(&self, name: &str, role: &str) -> String {
        let out = self.run(&["staff", "create-key", "--name", name, "--role", role]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        stdout.trim().lines().last().unwrap().to_owned()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    pub fn base(&self) -> String {
        self.env
            .iter()
            .find(|(k, _)| k == "BILLPASS_PUBLIC_URL")
            .unwrap()
            .1
            .clone()
    }
}

/// Kills the child process when the test ends, pass or fail.
pub struct KillOnDrop(pub Child);

impl KillOnDrop {
    /// Sends SIGTERM, as a supervisor stopping the process does.
    pub fn sigterm(&self) {
        let pid = self.0.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success(), "kill -TERM {pid}");
    }

    /// Sends SIGTERM and waits up to `within` for the process to exit.
    pub async fn terminate(&mut self, within: std::time::Duration) -> std::process::ExitStatus {
        self.sigterm();
        self.exit_within(within).await
    }

    /// Waits up to `within` for the process to exit.
    pub async fn exit_within(&mut self, within: std::time::Duration) -> std::process::ExitStatus {
        let deadline = std::time::Instant::now() + within;
        while std::time::Instant::now() < deadline {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("still running after {within:?}");
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The CSRF token in a console page's forms.
pub fn csrf_in(page: &str) -> String {
    let start = page
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token")
        + 19;
    page[start..].split('"').next().unwrap().to_owned()
}

impl TestApp {
    /// Posts a console form with a session cookie.
    pub async fn console_post(
        &self,
        path: &str,
        cookie: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("cookie", cookie)
            .form(form)
            .send()
            .await
            .unwrap()
    }
}
