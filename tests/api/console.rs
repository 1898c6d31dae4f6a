//! The staff console over HTTP: emailed sign-in links, sessions, CSRF tokens, roles, and the
//! customer-service pages with their forms. The browser journeys are in `browser.rs`.

use billpass::domain::Role;

use crate::helpers::{TestApp, cookie_named, csrf_in, spawn_app};

async fn page(app: &TestApp, path: &str, cookie: &str) -> (u16, String) {
    let response = app.console_get(path, cookie).await;
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn console_app() -> (TestApp, String) {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    app.invite("carol@utility.example", Role::Csr).await;
    let cookie = app.staff_session("carol@utility.example").await;
    (app, cookie)
}

#[tokio::test]
async fn sign_in_answers_alike_for_staff_and_strangers_and_sends_only_staff_a_link() {
    let app = spawn_app().await;
    app.invite("carol@utility.example", Role::Csr).await;
    let mut answers = vec![];
    for address in ["carol@utility.example", "mallory@elsewhere.example"] {
        let response = app
            .client
            .post(app.url("/staff/sign-in"))
            .form(&[("address", address)])
            .send()
            .await
            .unwrap();
        answers.push((response.status().as_u16(), response.text().await.unwrap()));
    }
    assert_eq!(answers[0].0, 200);
    assert_eq!(answers[0], answers[1], "the same page for both");
    app.answer_staff_sign_ins().await;
    assert!(
        crate::helpers::latest_link_in_outbox(&app.outbox(), "mallory@elsewhere.example").is_none()
    );
    let link = app.link_sent_to("carol@utility.example");
    assert!(link.contains("/staff/link/"));

    // A malformed address gets the form again with what to fix; nothing is recorded.
    for bad in ["not an address", "", &"a".repeat(5000)] {
        let response = app
            .client
            .post(app.url("/staff/sign-in"))
            .form(&[("address", bad)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 422);
        assert!(response.text().await.unwrap().contains("email address"));
    }
    let waiting: i64 = sqlx::query_scalar("SELECT count(*) FROM staff_sign_in_requests")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(waiting, 0);
}

#[tokio::test]
async fn a_sign_in_link_works_once_only_the_newest_and_never_a_customers_link() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    app.invite("carol@utility.example", Role::Csr).await;
    let first = app.staff_sign_in_link("carol@utility.example").await;
    let second = app.staff_sign_in_link("carol@utility.example").await;
    assert_ne!(first, second);

    // Fetching the link (a mail scanner) shows a button and uses nothing up.
    for _ in 0..2 {
        let fetched = app.client.get(&second).send().await.unwrap();
        assert_eq!(fetched.status().as_u16(), 200);
        assert!(cookie_named(&fetched, "billpass_staff").is_none());
    }
    let older = app.client.post(&first).send().await.unwrap();
    assert_eq!(older.status().as_u16(), 410, "only the newest link works");
    assert!(cookie_named(&older, "billpass_staff").is_none());

    let signed_in = app.client.post(&second).send().await.unwrap();
    assert_eq!(signed_in.status().as_u16(), 200);
    let set_cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("billpass_staff="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/staff"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let again = app.client.post(&second).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 410, "used once");

    // A customer's link, put where a staff link goes, signs nobody in.
    let customer_link = app.link_sent_to("jane@example.com");
    let token = customer_link.rsplit("/b/").next().unwrap();
    let forged = app
        .client
        .post(app.url(&format!("/staff/link/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 410);
    // And a staff link is no customer's link.
    let staff_token = second.rsplit("/staff/link/").next().unwrap();
    let as_customer = app
        .client
        .get(app.url(&format!("/b/{staff_token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(as_customer.status().as_u16(), 400);
    // Garbage of every size is refused the same way.
    for junk in ["x", "a.b.c", &"A".repeat(5000)] {
        let response = app
            .client
            .post(app.url(&format!("/staff/link/{junk}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 410, "{junk}");
    }
}

#[tokio::test]
async fn without_a_session_pages_go_to_sign_in_and_come_back_after() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/staff/customers?q=jane"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        response.headers()["location"],
        "/staff/sign-in?next=%2Fstaff%2Fcustomers%3Fq%3Djane"
    );
    let form = app
        .client
        .get(app.url("/staff/sign-in?next=%2Fstaff%2Fcustomers%3Fq%3Djane"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("value=\"/staff/customers?q=jane\""), "{form}");
    // Only our own console pages are places to come back to.
    for evil in [
        "https://evil.example/",
        "//evil.example",
        "/staff//evil",
        "/b/x",
    ] {
        let q = url::form_urlencoded::byte_serialize(evil.as_bytes()).collect::<String>();
        let form = app
            .client
            .get(app.url(&format!("/staff/sign-in?next={q}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(form.contains("name=\"next\" value=\"/staff\""), "{evil}");
    }
    // A form posted without a session is refused, not redirected.
    let posted = app
        .client
        .post(app.url("/staff/customers/ACC-1/revoke"))
        .form(&[("reason", "x"), ("confirm", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status().as_u16(), 401);
    // An unknown or forged cookie is no session.
    let forged = app
        .console_get(
            "/staff",
            "billpass_staff=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .await;
    assert_eq!(forged.status().as_u16(), 303);
}

#[tokio::test]
async fn sessions_end_when_idle_when_signed_out_and_when_the_member_is_disabled() {
    let (app, cookie) = console_app().await;
    let (status, home) = page(&app, "/staff", &cookie).await;
    assert_eq!(status, 200);
    assert!(home.contains("carol@utility.example"));

    // Idle for 31 minutes: sign in again, and come back to the page.
    sqlx::query("UPDATE staff_sessions SET seen_at = now() - interval '31 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    let idle = app.console_get("/staff/customers/ACC-1", &cookie).await;
    assert_eq!(idle.status().as_u16(), 303);
    assert_eq!(
        idle.headers()["location"],
        "/staff/sign-in?next=%2Fstaff%2Fcustomers%2FACC-1"
    );

    // Signed in for 12 hours, however busy: over.
    let cookie = app.staff_session("carol@utility.example").await;
    sqlx::query("UPDATE staff_sessions SET created_at = now() - interval '12 hours 1 minute'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        app.console_get("/staff", &cookie).await.status().as_u16(),
        303
    );

    // Signing out needs the form's token, then ends the session.
    let cookie = app.staff_session("carol@utility.example").await;
    let (_, home) = page(&app, "/staff", &cookie).await;
    let out = app
        .console_post("/staff/sign-out", &cookie, &[("csrf", "wrong")])
        .await;
    assert_eq!(out.status().as_u16(), 403);
    let out = app
        .console_post("/staff/sign-out", &cookie, &[("csrf", &csrf_in(&home))])
        .await;
    assert_eq!(out.status().as_u16(), 303);
    assert_eq!(
        app.console_get("/staff", &cookie).await.status().as_u16(),
        303
    );

    // Disabling a member ends every session of theirs at once.
    let cookie = app.staff_session("carol@utility.example").await;
    assert_eq!(
        app.console_get("/staff", &cookie).await.status().as_u16(),
        200
    );
    billpass::staff::members::disable(
        &app.pool,
        "carol@utility.example",
        &billpass::domain::Actor::command_line(),
    )
    .await
    .unwrap();
    assert_eq!(
        app.console_get("/staff", &cookie).await.status().as_u16(),
        303
    );
    // And no sign-in link reaches them any more.
    let asked = app
        .client
        .post(app.url("/staff/sign-in"))
        .form(&[("address", "carol@utility.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status().as_u16(), 200);
    let files_before = std::fs::read_dir(app.outbox()).unwrap().count();
    app.answer_staff_sign_ins().await;
    assert_eq!(
        std::fs::read_dir(app.outbox()).unwrap().count(),
        files_before
    );
}

#[tokio::test]
async fn a_csr_finds_a_customer_sees_their_history_and_resends_with_a_reason() {
    let (app, cookie) = console_app().await;
    let jane = app.link_sent_to("jane@example.com");
    app.client.get(&jane).send().await.unwrap();
    app.open_bill(&jane).await;

    let (status, found) = page(&app, "/staff/customers?q=%2B1%20555%20010%200123", &cookie).await;
    assert_eq!(status, 200);
    assert!(found.contains("data-account=\"ACC-2\""), "{found}");
    assert!(!found.contains("+15550100123"), "numbers are masked");
    let (status, found) = page(&app, "/staff/customers?q=", &cookie).await;
    assert_eq!(status, 422);
    assert!(found.contains("type an account number"));

    let (status, customer) = page(&app, "/staff/customers/ACC-1", &cookie).await;
    assert_eq!(status, 200);
    assert!(customer.contains("data-current-link=\"current\""));
    assert!(customer.contains("j•••@example.com"));
    assert!(!customer.contains("jane@example.com"));
    assert!(
        !customer.contains(jane.rsplit("/b/").next().unwrap()),
        "no token on the page"
    );
    assert!(customer.contains("1 time"), "one opening: {customer}");
    let (status, bill) = page(&app, "/staff/customers/ACC-1/bill", &cookie).await;
    assert_eq!(status, 200);
    assert!(bill.contains("142.17"), "the bill as Jane sees it");

    let csrf = csrf_in(&customer);
    let path = "/staff/customers/ACC-1/resend";
    // No token, a wrong one: 403, nothing sent.
    for token in ["", "nope"] {
        let refused = app
            .console_post(
                path,
                &cookie,
                &[
                    ("csrf", token),
                    ("channel", ""),
                    ("reason", "asked"),
                    ("confirm", "yes"),
                ],
            )
            .await;
        assert_eq!(refused.status().as_u16(), 403);
    }
    // No reason, no confirmation, a hostile or oversized reason: the page again, saying why.
    let long = "x".repeat(501);
    for form in [
        vec![("csrf", csrf.as_str()), ("reason", ""), ("confirm", "yes")],
        vec![("csrf", csrf.as_str()), ("reason", "asked")],
        vec![
            ("csrf", csrf.as_str()),
            ("reason", "a\u{0}b"),
            ("confirm", "yes"),
        ],
        vec![
            ("csrf", csrf.as_str()),
            ("reason", long.as_str()),
            ("confirm", "yes"),
        ],
    ] {
        let refused = app.console_post(path, &cookie, &form).await;
        assert_eq!(refused.status().as_u16(), 422, "{form:?}");
        assert!(refused.text().await.unwrap().contains("Not done"));
    }
    let refused = app
        .console_post(
            path,
            &cookie,
            &[
                ("csrf", &csrf),
                ("channel", "pigeon"),
                ("reason", "asked"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 400);
    let oversized = "y".repeat(20_000);
    let refused = app
        .console_post(path, &cookie, &[("csrf", &csrf), ("reason", &oversized)])
        .await;
    assert_eq!(refused.status().as_u16(), 400);
    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM link_tokens WHERE reason = 'resend'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sent, 0, "nothing was sent by a refused form");

    let done = app
        .console_post(
            path,
            &cookie,
            &[
                ("csrf", &csrf),
                ("channel", "email"),
                ("reason", "Customer called: lost the email"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(done.status().as_u16(), 303);
    assert_eq!(
        done.headers()["location"],
        "/staff/customers/ACC-1?done=resent"
    );
    let (_, customer) = page(&app, "/staff/customers/ACC-1?done=resent", &cookie).await;
    assert!(customer.contains("A new link is on its way"));
    assert!(customer.contains("Customer called: lost the email"));
    let actor: String = sqlx::query_scalar(
        "SELECT actor FROM audit_log WHERE action = 'link.resend' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(actor, "staff:carol@utility.example");

    // Revoking: the current link stops at once.
    app.dispatch_all_pending().await;
    let newest = app.link_sent_to("jane@example.com");
    let revoked = app
        .console_post(
            "/staff/customers/ACC-1/revoke",
            &cookie,
            &[
                ("csrf", &csrf),
                ("reason", "Reported as phishing target"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(revoked.status().as_u16(), 303);
    let status = app
        .client
        .get(&newest)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 410);
    let again = app
        .console_post(
            "/staff/customers/ACC-1/revoke",
            &cookie,
            &[("csrf", &csrf), ("reason", "twice"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(again.status().as_u16(), 409);
    let (status, _) = page(&app, "/staff/customers/NOBODY", &cookie).await;
    assert_eq!(status, 404);
    let (status, _) = page(&app, "/staff/customers/%00%FF", &cookie).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_role_that_does_not_cover_a_page_gets_a_403_page() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.invite("bill@utility.example", Role::Billing).await;
    let cookie = app.staff_session("bill@utility.example").await;
    for path in [
        "/staff/customers",
        "/staff/customers/ACC-1",
        "/staff/customers/ACC-1/bill",
    ] {
        let (status, body) = page(&app, path, &cookie).await;
        assert_eq!(status, 403, "{path}");
        assert!(body.contains("Not for your role"), "{path}");
    }
    let (_, home) = page(&app, "/staff", &cookie).await;
    assert!(
        !home.contains("href=\"/staff/customers\""),
        "no link to what the role cannot open"
    );
    let (status, _) = page(&app, "/staff/nothing-here", &cookie).await;
    assert_eq!(status, 404);
}
