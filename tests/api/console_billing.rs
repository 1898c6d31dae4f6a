//! The console's billing and admin pages over HTTP: uploads, runs, the cycle report, and the
//! admin pages, each with bad input and the wrong role.

use billpass::domain::Role;

use crate::helpers::{BILLS_JSONL, CUSTOMERS_CSV, TestApp, csrf_in, spawn_app_with};

async fn signed_in(role: Role) -> (TestApp, String, String) {
    // Uploads up to 1 MiB, so that an oversized one is quick to send.
    let app = spawn_app_with(&["--api-import-limit", "1MiB"]).await;
    let email = format!("{role}@utility.example");
    app.invite(&email, role).await;
    let cookie = app.staff_session(&email).await;
    let home = app
        .console_get("/staff", &cookie)
        .await
        .text()
        .await
        .unwrap();
    let csrf = csrf_in(&home);
    (app, cookie, csrf)
}

/// A `multipart/form-data` body, as a browser sends the upload form.
fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "----billpassTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((filename, contents)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(contents);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    app: &TestApp,
    cookie: &str,
    csrf: &str,
    kind: &str,
    name: &str,
    contents: &[u8],
) -> (u16, String) {
    let (content_type, body) = multipart(&[("csrf", csrf), ("kind", kind)], Some((name, contents)));
    let response = app
        .client
        .post(app.url("/staff/imports"))
        .header("cookie", cookie)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn billing_uploads_a_bad_file_sees_every_bad_line_then_a_good_one() {
    let (app, cookie, csrf) = signed_in(Role::Billing).await;
    let bad = "account_id,name,email,phone,channel,locale\n\
               ACC-1,Jane Doe,not-an-address,,email,en-US\n\
               ACC-2,Sam,,,sms,en-US\n";
    let (status, page) = upload(
        &app,
        &cookie,
        &csrf,
        "customers",
        "customers.csv",
        bad.as_bytes(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("data-import-errors"), "{page}");
    assert!(
        page.contains(">2<") && page.contains(">3<"),
        "both lines listed: {page}"
    );
    assert_eq!(count(&app, "customers").await, 0, "nothing stored");

    let (status, page) = upload(
        &app,
        &cookie,
        &csrf,
        "customers",
        "customers.csv",
        CUSTOMERS_CSV.as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Imported customers: 3 new, 0 updated."),
        "{page}"
    );
    let (status, page) = upload(
        &app,
        &cookie,
        &csrf,
        "bills",
        "bills.jsonl",
        BILLS_JSONL.as_bytes(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Imported bills"));

    // JSON Lines customers are recognised by their first character.
    let jsonl = r#"{"account_id":"ACC-9","name":"Ana","email":"ana@example.com","phone":"","channel":"","locale":"es-ES"}"#;
    let (status, _) = upload(
        &app,
        &cookie,
        &csrf,
        "customers",
        "more.jsonl",
        jsonl.as_bytes(),
    )
    .await;
    assert_eq!(status, 200);

    // Wrong token, no kind, an empty file, binary junk, an oversized file.
    let (status, _) = upload(
        &app,
        &cookie,
        "forged",
        "customers",
        "c.csv",
        CUSTOMERS_CSV.as_bytes(),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = upload(
        &app,
        &cookie,
        &csrf,
        "pictures",
        "c.csv",
        CUSTOMERS_CSV.as_bytes(),
    )
    .await;
    assert_eq!(status, 422);
    let (status, _) = upload(&app, &cookie, &csrf, "customers", "empty.csv", b"  \n").await;
    assert_eq!(status, 422);
    let (status, page) = upload(
        &app,
        &cookie,
        &csrf,
        "bills",
        "junk.bin",
        &[0xff, 0xfe, 0, 1, 2],
    )
    .await;
    assert_eq!(status, 422, "{page}");
    let big = vec![b'a'; 1024 * 1024 + 1];
    let (status, _) = upload(&app, &cookie, &csrf, "customers", "big.csv", &big).await;
    assert_eq!(status, 413);
    assert_eq!(
        count(&app, "customers").await,
        4,
        "nothing lost, nothing added by bad uploads"
    );
    let garbage = app
        .client
        .post(app.url("/staff/imports"))
        .header("cookie", &cookie)
        .header("content-type", "multipart/form-data; boundary=x")
        .body("not multipart at all")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status().as_u16(), 400);
}

#[tokio::test]
async fn billing_starts_a_run_follows_it_schedules_and_cancels_another() {
    let (app, cookie, csrf) = signed_in(Role::Billing).await;
    app.load_examples().await;
    for (cycle, at, expect) in [
        ("", "", "Cycle:"),
        ("no such cycle!", "", "Cycle:"),
        ("1999-01", "", "has no bills"),
        ("2026-11", "tomorrow", "Start at:"),
        ("2026-11", "2026-13-45T99:00", "Start at:"),
    ] {
        let refused = app
            .console_post(
                "/staff/runs",
                &cookie,
                &[("csrf", &csrf), ("cycle", cycle), ("at", at)],
            )
            .await;
        assert_eq!(refused.status().as_u16(), 422, "{cycle} {at}");
        assert!(
            refused.text().await.unwrap().contains(expect),
            "{cycle} {at}"
        );
    }
    assert_eq!(count(&app, "cycle_runs").await, 0);

    let started = app
        .console_post(
            "/staff/runs",
            &cookie,
            &[("csrf", &csrf), ("cycle", "2026-11"), ("at", "")],
        )
        .await;
    assert_eq!(started.status().as_u16(), 303);
    let location = started.headers()["location"].to_str().unwrap().to_owned();
    app.work_due_runs().await;
    let page = app
        .console_get(&location, &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-run-live"), "{page}");
    assert!(page.contains("/assets/console.js"));
    let live: serde_json::Value = app
        .console_get(&format!("{location}/progress"), &cookie)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(live["status"], "completed");
    assert_eq!(live["minted"], 3);

    let scheduled = app
        .console_post(
            "/staff/runs",
            &cookie,
            &[
                ("csrf", &csrf),
                ("cycle", "2026-10"),
                ("at", "2099-06-01T06:00"),
            ],
        )
        .await;
    assert_eq!(scheduled.status().as_u16(), 303);
    let location = scheduled.headers()["location"].to_str().unwrap().to_owned();
    let page = app
        .console_get(&location, &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-form=\"cancel-run\""));
    let cancel = format!("{location}/cancel");
    assert_eq!(
        app.console_post(&cancel, &cookie, &[("csrf", "x")])
            .await
            .status()
            .as_u16(),
        403
    );
    assert_eq!(
        app.console_post(&cancel, &cookie, &[("csrf", &csrf), ("confirm", "yes")])
            .await
            .status()
            .as_u16(),
        303
    );
    assert_eq!(
        app.console_post(&cancel, &cookie, &[("csrf", &csrf), ("confirm", "yes")])
            .await
            .status()
            .as_u16(),
        409
    );
    let (status, _) = (
        app.console_get("/staff/runs/424242", &cookie)
            .await
            .status()
            .as_u16(),
        (),
    );
    assert_eq!(status, 404);
    let list = app
        .console_get("/staff/runs", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("cancelled") && list.contains("completed"),
        "{list}"
    );
}

#[tokio::test]
async fn the_report_page_shows_the_databases_figures_a_csv_and_retries_failed_messages() {
    let (app, cookie, csrf) = signed_in(Role::Admin).await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    // Sam's text message failed for good.
    sqlx::query(
        "UPDATE deliveries SET status = 'failed', last_error = 'HTTP 400: unreachable', link = NULL
         WHERE channel = 'sms'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let page = app
        .console_get("/staff/cycles/2026-11", &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-figure=\"customers\">3<"), "{page}");
    assert!(page.contains("data-figure=\"minted\">3<"));
    assert!(page.contains("<svg"), "charts are inline SVG");
    assert!(page.contains("HTTP 400: unreachable"));
    let csv = app
        .console_get("/staff/cycles/2026-11?format=csv", &cookie)
        .await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("cycle,channel,figure,value\n"));
    assert!(csv.contains("2026-11,sms,failed,1\n"), "{csv}");

    let failed: i64 = sqlx::query_scalar("SELECT id FROM deliveries WHERE channel = 'sms'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let retry = "/staff/cycles/2026-11/retry";
    assert_eq!(
        app.console_post(
            retry,
            &cookie,
            &[("csrf", "x"), ("delivery_id", &failed.to_string())]
        )
        .await
        .status()
        .as_u16(),
        403
    );
    assert_eq!(
        app.console_post(
            retry,
            &cookie,
            &[("csrf", &csrf), ("delivery_id", "999999")]
        )
        .await
        .status()
        .as_u16(),
        404
    );
    assert_eq!(
        app.console_post(retry, &cookie, &[("csrf", &csrf), ("delivery_id", "seven")])
            .await
            .status()
            .as_u16(),
        400
    );
    let retried = app
        .console_post(
            retry,
            &cookie,
            &[("csrf", &csrf), ("delivery_id", &failed.to_string())],
        )
        .await;
    assert_eq!(retried.status().as_u16(), 303);
    let resent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM link_tokens t JOIN customers c ON c.id = t.customer_id
         WHERE c.account_id = 'ACC-2' AND t.reason = 'resend'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(resent, 1);
    assert_eq!(
        app.console_get("/staff/cycles/1999-01", &cookie)
            .await
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        app.console_get("/staff/cycles/%3Cscript%3E", &cookie)
            .await
            .status()
            .as_u16(),
        404
    );
}

#[tokio::test]
async fn admins_invite_change_roles_disable_create_and_revoke_keys_and_read_the_audit_log() {
    let (app, cookie, csrf) = signed_in(Role::Admin).await;
    let staff = "/staff/admin/staff";
    let invited = app
        .console_post(
            staff,
            &cookie,
            &[
                ("csrf", &csrf),
                ("op", "invite"),
                ("email", "dan@utility.example"),
                ("role", "csr"),
            ],
        )
        .await;
    assert_eq!(invited.status().as_u16(), 200);
    assert!(
        invited
            .text()
            .await
            .unwrap()
            .contains("dan@utility.example can now sign in as csr")
    );
    for (form, expect) in [
        (
            vec![
                ("op", "invite"),
                ("email", "dan@utility.example"),
                ("role", "csr"),
            ],
            "already a member",
        ),
        (
            vec![("op", "invite"), ("email", "nope"), ("role", "csr")],
            "email address",
        ),
        (
            vec![
                ("op", "invite"),
                ("email", "eve@utility.example"),
                ("role", "root"),
            ],
            "Role:",
        ),
        (
            vec![
                ("op", "role"),
                ("email", "nobody@utility.example"),
                ("role", "csr"),
            ],
            "no member",
        ),
        (
            vec![("op", "disable"), ("email", "admin@utility.example")],
            "yourself",
        ),
    ] {
        let mut form = form;
        form.push(("csrf", &csrf));
        let refused = app.console_post(staff, &cookie, &form).await;
        assert_eq!(refused.status().as_u16(), 422, "{form:?}");
        assert!(refused.text().await.unwrap().contains(expect), "{form:?}");
    }
    assert_eq!(
        app.console_post(staff, &cookie, &[("csrf", &csrf), ("op", "explode")])
            .await
            .status()
            .as_u16(),
        400
    );
    assert_eq!(
        app.console_post(
            staff,
            &cookie,
            &[("op", "invite"), ("email", "x@y.example"), ("role", "csr")]
        )
        .await
        .status()
        .as_u16(),
        403
    );

    let dan = app.staff_session("dan@utility.example").await;
    assert_eq!(
        app.console_get("/staff/runs", &dan).await.status().as_u16(),
        403
    );
    let changed = app
        .console_post(
            staff,
            &cookie,
            &[
                ("csrf", &csrf),
                ("op", "role"),
                ("email", "dan@utility.example"),
                ("role", "billing"),
            ],
        )
        .await;
    assert_eq!(changed.status().as_u16(), 200);
    assert_eq!(
        app.console_get("/staff/runs", &dan).await.status().as_u16(),
        200,
        "the new role at once"
    );
    let disabled = app
        .console_post(
            staff,
            &cookie,
            &[
                ("csrf", &csrf),
                ("op", "disable"),
                ("email", "dan@utility.example"),
            ],
        )
        .await;
    assert_eq!(disabled.status().as_u16(), 200);
    assert_eq!(
        app.console_get("/staff/runs", &dan).await.status().as_u16(),
        303,
        "signed out at once"
    );

    let keys = "/staff/admin/keys";
    let created = app
        .console_post(
            keys,
            &cookie,
            &[
                ("csrf", &csrf),
                ("op", "create"),
                ("name", "batch"),
                ("role", "billing"),
            ],
        )
        .await;
    let page = created.text().await.unwrap();
    let start = page.find("data-new-key>").unwrap() + "data-new-key>".len();
    let key = page[start..].split('<').next().unwrap().to_owned();
    assert!(key.starts_with("bp_"));
    let api = app
        .api(reqwest::Method::GET, "/api/v1/runs", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status().as_u16(), 200, "the key works");
    let listed = app.console_get(keys, &cookie).await.text().await.unwrap();
    assert!(!listed.contains(&key), "shown once only");
    let key_id: i64 = sqlx::query_scalar("SELECT id FROM staff_keys WHERE name = 'batch'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let revoked = app
        .console_post(
            keys,
            &cookie,
            &[
                ("csrf", &csrf),
                ("op", "revoke"),
                ("key", &key_id.to_string()),
            ],
        )
        .await;
    assert_eq!(revoked.status().as_u16(), 200);
    let api = app
        .api(reqwest::Method::GET, "/api/v1/runs", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status().as_u16(), 401);
    let bad = app
        .console_post(
            keys,
            &cookie,
            &[
                ("csrf", &csrf),
                ("op", "create"),
                ("name", "12345"),
                ("role", "csr"),
            ],
        )
        .await;
    assert_eq!(bad.status().as_u16(), 422);

    let audit = app
        .console_get(
            "/staff/admin/audit?actor=admin%40utility&action=staff.disable",
            &cookie,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(audit.contains("dan@utility.example"), "{audit}");
    assert!(!audit.contains("staff_key.create</td>"));
    let refused = app
        .console_get("/staff/admin/audit?from=yesterday", &cookie)
        .await;
    assert_eq!(refused.status().as_u16(), 422);
    let wild = app
        .console_get("/staff/admin/audit?actor=%25%25&target=_", &cookie)
        .await;
    assert_eq!(wild.status().as_u16(), 200);

    let signing = "/staff/admin/signing-keys";
    let before = app
        .console_get(signing, &cookie)
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        before.matches("<code>").count(),
        2,
        "one key, and the directory"
    );
    let generated = app
        .console_post(
            signing,
            &cookie,
            &[("csrf", &csrf), ("alg", "eddsa"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(generated.status().as_u16(), 200);
    let after = generated.text().await.unwrap();
    assert_eq!(after.matches("<code>").count(), 3, "{after}");
    let refused = app
        .console_post(
            signing,
            &cookie,
            &[("csrf", &csrf), ("alg", "none"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 422);
}

#[tokio::test]
async fn csrs_cannot_open_billing_or_admin_pages() {
    let (app, cookie, csrf) = signed_in(Role::Csr).await;
    for path in [
        "/staff/runs",
        "/staff/imports",
        "/staff/cycles/2026-11",
        "/staff/admin/staff",
        "/staff/admin/keys",
        "/staff/admin/audit",
        "/staff/admin/signing-keys",
    ] {
        let response = app.console_get(path, &cookie).await;
        assert_eq!(response.status().as_u16(), 403, "{path}");
    }
    let refused = app
        .console_post(
            "/staff/runs",
            &cookie,
            &[("csrf", &csrf), ("cycle", "2026-11")],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 403);
    assert_eq!(count(&app, "cycle_runs").await, 0);
}
