//! The binary, driven as an operator and a customer would: import, cycle run, serve, click.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::helpers::{
    BILLS_JSONL, Billpass, CUSTOMERS_CSV, KillOnDrop, latest_link_in_outbox, plain_client,
    session_cookie,
};

#[tokio::test]
async fn operator_imports_runs_a_cycle_and_the_customer_sees_the_bill() {
    let (bp, _pool) = Billpass::new().await;
    assert!(bp.run(&["keys", "generate"]).status.success());
    let customers = bp.file("customers.csv", CUSTOMERS_CSV);
    let bills = bp.file("bills.jsonl", BILLS_JSONL);
    let out = bp.run(&["import", "customers", &customers]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 inserted"));
    assert!(bp.run(&["import", "bills", &bills]).status.success());
    let run = bp.run(&["cycle", "run", "2026-11"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(String::from_utf8_lossy(&run.stdout).contains("3 links minted"));

    let log = bp.dir.path().join("serve.log");
    let server = bp
        .command(&["serve"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let _server = KillOnDrop(server);
    let outbox = bp.dir.path().join("outbox");
    let link = newest_link_other_than(&outbox, "jane@example.com", None)
        .await
        .expect("the worker wrote Jane's email to the outbox");
    assert!(link.starts_with(&bp.base()));

    let client = plain_client();
    let mut landing = None;
    for _ in 0..50 {
        if let Ok(response) = client.get(&link).send().await {
            landing = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(landing.expect("server up").status().as_u16(), 200);
    let opened = client.post(&link).send().await.unwrap();
    let cookie = session_cookie(&opened).unwrap();
    let bill = client
        .get(format!("{}/bill", bp.base()))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(bill.status().as_u16(), 200);
    assert!(bill.text().await.unwrap().contains("$142.17"));

    // Jane lost the message: on /link she gets a fresh one, which serve's workers send.
    let asked = client
        .post(format!("{}/link", bp.base()))
        .form(&[("address", "jane@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status().as_u16(), 200);
    newest_link_other_than(&outbox, "jane@example.com", Some(&link))
        .await
        .expect("the workers answered the request");

    let token = link.rsplit("/b/").next().unwrap();
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(
        logs.contains("/b/<redacted>"),
        "requests are logged: {logs}"
    );
    assert!(!logs.contains(token), "the token never reaches the log");
    assert!(
        !logs.contains(cookie.split('=').nth(1).unwrap()),
        "nor the session cookie"
    );
}

/// Waits up to 10 s for a link to `address` in the outbox, other than `old`.
async fn newest_link_other_than(outbox: &Path, address: &str, old: Option<&str>) -> Option<String> {
    for _ in 0..100 {
        let link = latest_link_in_outbox(outbox, address).filter(|link| Some(link.as_str()) != old);
        if link.is_some() {
            return link;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test]
async fn a_bad_import_exits_non_zero_lists_every_error_and_stores_nothing() {
    let (bp, pool) = Billpass::new().await;
    let bad = bp.file("bad.csv", "account_id,name,email,phone,channel,locale\nACC-1,Ok,ok@example.com,,,en\n,Nameless,x@example.com,,,en\nACC-3,Nobody,,,,en\n");
    let out = bp.run(&["import", "customers", &bad]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 3: account_id: a value is required"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 4: email: an email address or a phone number is required"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was stored"), "{stderr}");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM customers")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn wrong_settings_stop_start_up_with_a_line_naming_the_setting() {
    let (bp, _) = Billpass::new().await;
    for (name, value) in [
        ("BILLPASS_LINK_TTL", "forever"),
        ("BILLPASS_PUBLIC_URL", "portal-without-scheme"),
        ("BILLPASS_LISTEN", "not-an-address"),
        ("BILLPASS_SMTP_URL", "http://mail.example.com"),
        (
            "BILLPASS_SMTP_URL",
            "smtp://bills:hunter2@mail.example.com?tls=sometimes",
        ),
        ("BILLPASS_EMAIL_FROM", "not a mailbox"),
        ("BILLPASS_API_IMPORT_LIMIT", "64MB"),
        ("BILLPASS_LINK_REQUESTS_PER_IP", "lots"),
        ("BILLPASS_LINK_REQUESTS_PER_ADDRESS", "5/fortnight"),
        ("BILLPASS_TRUSTED_PROXIES", "10.0.0.0/99"),
        ("BILLPASS_LOG_FORMAT", "yaml"),
        ("RUST_LOG", "billpass=loudest"),
        ("DATABASE_URL", "mysql://root:hunter2@db/billpass"),
        ("BILLPASS_EMAIL_CONCURRENCY", "lots"),
        ("BILLPASS_SMS_GATEWAY", "carrier-pigeon"),
        ("BILLPASS_BILL_CACHE_MB", "128MB"),
        ("BILLPASS_SEND_TIMEOUT", "soon"),
        // Longer than the delivery lease (2m).
        ("BILLPASS_SEND_TIMEOUT", "5m"),
    ] {
        let out = bp.command(&["serve"]).env(name, value).output().unwrap();
        assert!(!out.status.success(), "{name}={value} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(name), "{name}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
        assert!(
            !stderr.contains(value) || name == "BILLPASS_LISTEN",
            "values may be secrets: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[tokio::test]
async fn serve_without_a_key_says_how_to_make_one() {
    let (bp, _) = Billpass::new().await;
    let out = bp.run(&["serve"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("billpass keys generate"));
}

/// Runs `serve` as given and returns its stderr, checking it failed with exactly one line
/// and no panic.
fn one_line_failure(mut command: std::process::Command) -> String {
    let started = std::time::Instant::now();
    let out = command.output().unwrap();
    assert!(!out.status.success());
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "it gave up in good time"
    );
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[tokio::test]
async fn a_listen_address_in_use_stops_serve_with_a_line_naming_billpass_listen() {
    let (bp, _) = Billpass::new().await;
    assert!(bp.run(&["keys", "generate"]).status.success());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let mut serve = bp.command(&["serve"]);
    serve.env("BILLPASS_LISTEN", &address);
    let stderr = one_line_failure(serve);
    assert!(stderr.contains("BILLPASS_LISTEN"), "{stderr}");
    assert!(stderr.contains(&address), "{stderr}");
}

#[tokio::test]
async fn an_unreachable_database_stops_serve_with_a_line_naming_database_url() {
    let (bp, _) = Billpass::new().await;
    assert!(bp.run(&["keys", "generate"]).status.success());
    let nobody_listens = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut serve = bp.command(&["serve"]);
    serve.env(
        "DATABASE_URL",
        format!("postgres://billpass:s3cret@127.0.0.1:{nobody_listens}/billpass"),
    );
    let stderr = one_line_failure(serve);
    assert!(stderr.contains("cannot reach PostgreSQL"), "{stderr}");
    assert!(stderr.contains("DATABASE_URL"), "{stderr}");
    assert!(!stderr.contains("s3cret"), "never the password: {stderr}");
}

fn output_of(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn each_command_helps_with_the_options_it_uses_and_the_servers_live_under_serve() {
    let (bp, _) = Billpass::new().await;
    let help = |args: &[&str]| output_of(&bp.run(args));
    let resend = help(&["resend", "--help"]);
    assert!(resend.lines().count() < 90, "{resend}");
    assert!(!resend.contains("BILLPASS_SMTP_URL"), "{resend}");
    assert!(
        resend.contains("BILLPASS_PUBLIC_URL"),
        "links need it: {resend}"
    );
    let arguments = resend.split("Arguments:").nth(1).unwrap_or_default();
    let account = arguments.split("Options:").next().unwrap_or_default();
    assert!(account.contains("<ACCOUNT_ID>"), "{resend}");
    assert!(account.contains("account number"), "described: {resend}");
    for command in [
        &["keys", "list", "--help"][..],
        &["migrate", "--help"],
        &["staff", "list-keys", "--help"],
    ] {
        let text = help(command);
        assert!(text.lines().count() < 50, "{command:?}: {text}");
        assert!(!text.contains("BILLPASS_SMS_"), "{command:?}: {text}");
    }
    let serve = help(&["serve", "--help"]);
    for setting in [
        "BILLPASS_SMTP_URL",
        "BILLPASS_LISTEN",
        "BILLPASS_LINK_TTL",
        "DATABASE_URL",
    ] {
        assert!(serve.contains(setting), "{setting}: {serve}");
    }
}

#[tokio::test]
async fn commands_run_again_print_no_database_notices() {
    let (bp, _) = Billpass::new().await;
    for _ in 0..2 {
        let out = bp
            .command(&["migrate"])
            .env("RUST_LOG", "info")
            .output()
            .unwrap();
        assert!(out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("_sqlx_migrations"), "{stderr}");
    }
}

#[tokio::test]
async fn a_cycle_run_ends_with_its_elapsed_time_and_rate_and_the_audit_names_the_os_user() {
    let (bp, pool) = Billpass::new().await;
    bp.load_examples();
    // `Billpass` clears the environment: USER is unset, as in a container.
    let run = bp.run(&["cycle", "run", "2026-11"]);
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "{stderr}");
    assert!(!stderr.contains("ETA ?"), "{stderr}");
    let last = stderr.trim_end().lines().last().unwrap();
    assert!(
        last.contains("3/3") && last.contains(" in ") && last.contains("/s"),
        "{stderr}"
    );
    let actor: String = sqlx::query_scalar("SELECT actor FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(actor, format!("cli:{}", whoami::username().unwrap()));
}

#[tokio::test]
async fn an_operator_looks_a_customer_up_and_revokes_their_link_with_a_reason() {
    let (bp, pool) = Billpass::new().await;
    bp.load_examples();
    assert!(bp.run(&["cycle", "run", "2026-11"]).status.success());

    let without_reason = bp.run(&["revoke", "ACC-1"]);
    assert!(!without_reason.status.success());
    assert!(String::from_utf8_lossy(&without_reason.stderr).contains("--reason"));
    let empty_reason = bp.run(&["revoke", "ACC-1", "--reason", "  "]);
    assert!(!empty_reason.status.success());

    let revoked = output_of(&bp.run(&["revoke", "ACC-1", "--reason", "phone reported stolen"]));
    assert!(
        revoked.contains("ACC-1") && revoked.contains("revoked"),
        "{revoked}"
    );
    let again = bp.run(&["revoke", "ACC-1", "--reason", "twice"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already revoked"));

    let shown = output_of(&bp.run(&["customer", "show", "ACC-1"]));
    for expected in [
        "ACC-1",
        "Jane Doe",
        "j•••@example.com",
        "revoked",
        "phone reported stolen",
        "link.revoke",
        "cycle",
    ] {
        assert!(shown.contains(expected), "{expected}: {shown}");
    }
    assert!(!shown.contains("jane@example.com"), "masked: {shown}");
    let nobody = bp.run(&["customer", "show", "NOBODY"]);
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no customer"));
    let status: String = sqlx::query_scalar(
        "SELECT CASE WHEN revoked_at IS NULL THEN 'live' ELSE 'revoked' END FROM link_tokens t
         JOIN customers c ON c.id = t.customer_id WHERE c.account_id = 'ACC-1'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(status, "revoked");
}

#[tokio::test]
async fn keys_list_keeps_its_columns_aligned() {
    let (bp, _) = Billpass::new().await;
    bp.load_examples();
    assert!(bp.run(&["cycle", "run", "2026-11"]).status.success());
    assert!(
        bp.run(&["keys", "generate", "--alg", "es256"])
            .status
            .success()
    );
    let listed = output_of(&bp.run(&["keys", "list"]));
    let lines: Vec<&str> = listed.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 3, "{listed}");
    let column = lines[0].find("status").unwrap();
    for line in &lines[1..] {
        let before = line.chars().take(column).collect::<String>();
        assert!(before.ends_with(' '), "{listed}");
        assert_ne!(line.chars().nth(column), Some(' '), "{listed}");
    }
    assert!(listed.contains("links outstanding until"), "{listed}");
}

#[tokio::test]
async fn the_demo_checks_its_address_first_and_runs_again_on_the_same_database() {
    let (bp, pool) = Billpass::new().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let out = bp
        .command(&["demo"])
        .env("BILLPASS_LISTEN", &address)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("BILLPASS_LISTEN") && stderr.contains(&address),
        "{stderr}"
    );
    let customers: i64 = sqlx::query_scalar("SELECT count(*) FROM customers")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(customers, 0, "nothing done before the address was checked");
    drop(taken);

    for round in 1..=2 {
        let printed = bp.dir.path().join(format!("demo-{round}.out"));
        let log = bp.dir.path().join(format!("demo-{round}.log"));
        let demo = bp
            .command(&["demo"])
            .stdout(std::fs::File::create(&printed).unwrap())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut demo = KillOnDrop(demo);
        bp.wait_until_up(&log).await;
        let text = std::fs::read_to_string(&printed).unwrap();
        let links: Vec<&str> = text
            .split_whitespace()
            .filter(|w| w.contains("/b/"))
            .collect();
        assert_eq!(links.len(), 8, "round {round}: {text}");
        let water = links
            .iter()
            .filter(|l| l.contains("//water.localhost:"))
            .count();
        assert_eq!(
            water, 3,
            "the second brand's customers, on its host: {text}"
        );
        assert!(links[0].starts_with(&format!("{}/b/", bp.base())));
        let landing = plain_client().get(links[0]).send().await.unwrap();
        assert_eq!(landing.status().as_u16(), 200, "round {round}");
        assert!(demo.terminate(Duration::from_secs(30)).await.success());
    }
}

#[tokio::test]
async fn outbox_files_are_named_by_delivery_and_channel() {
    let app = crate::helpers::spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let mut names: Vec<String> = std::fs::read_dir(app.outbox())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let deliveries: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, channel FROM deliveries ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let mut expected: Vec<String> = deliveries
        .iter()
        .map(|(id, channel)| match channel.as_str() {
            "email" => format!("delivery-{id}-email.eml"),
            _ => format!("delivery-{id}-sms.sms"),
        })
        .collect();
    expected.sort();
    assert_eq!(names, expected);
}
