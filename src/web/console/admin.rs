//! Admins' pages: staff members, API keys, the audit log, signing keys.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use strum::VariantNames;

use super::pages::{
    AdminAuditPage, AdminFrame, AdminKeysPage, AdminSigningKeysPage, AdminStaffPage,
    AuditFilterView, AuditRow, KeyRow, MemberRow, SigningKeyRow,
};
use super::session::{Console, ConsoleError};
use crate::domain::calendar::time_text;
use crate::domain::{EmailAddress, Role};
use crate::staff::audit::{self, Action, AuditFilter, Record};
use crate::staff::keys::{self as staff_keys, KeyName};
use crate::staff::members::{self, MemberError};
use crate::tokens::keys::{self as signing_keys, KeyAlgorithm};
use crate::web::{html, read, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/admin/staff", "GET, HEAD, POST")
            .route(read().to(staff))
            .route(web::post().to(change_staff)),
    )
    .service(
        resource("/admin/keys", "GET, HEAD, POST")
            .route(read().to(keys))
            .route(web::post().to(change_keys)),
    )
    .service(resource("/admin/audit", "GET, HEAD").route(read().to(audit_log)))
    .service(
        resource("/admin/signing-keys", "GET, HEAD, POST")
            .route(read().to(signing))
            .route(web::post().to(generate)),
    );
}

/// Audit entries listed, at most.
const AUDIT_LISTED: i64 = 200;

/// What a form did, or why it did nothing.
pub(super) type Outcome = Result<Option<String>, String>;

/// The frame of admin page `section` after `outcome`, and the page's status.
pub(super) fn frame<'a>(
    console: &'a Console,
    section: &'static str,
    outcome: &'a Outcome,
) -> (AdminFrame<'a>, StatusCode) {
    let (notice, error, status) = match outcome {
        Ok(notice) => (notice.as_deref(), None, StatusCode::OK),
        Err(error) => (None, Some(error.as_str()), StatusCode::UNPROCESSABLE_ENTITY),
    };
    let csrf = &console.session.csrf_token;
    (
        AdminFrame {
            section,
            csrf,
            notice,
            error,
        },
        status,
    )
}

async fn staff_page(console: &Console, outcome: Outcome) -> Result<HttpResponse, ConsoleError> {
    let you = &console.session.member.email;
    let members = members::list(&console.state.pool)
        .await?
        .into_iter()
        .map(|m| MemberRow {
            is_you: &m.email == you,
            enabled: m.disabled_at.is_none(),
            role: m.role.to_string(),
            signs_in_by: match m.oidc_subject {
                Some(_) => "single sign-on".into(),
                None => "emailed link".into(),
            },
            status: match m.disabled_at {
                Some(at) => format!("disabled {}", time_text(at)),
                None => "enabled".into(),
            },
            email: m.email,
        })
        .collect();
    let (frame, status) = frame(console, "staff", &outcome);
    Ok(html(
        status,
        &AdminStaffPage {
            brand: console.brand(),
            nav: Some(console.nav("admin")),
            frame,
            members,
        },
    ))
}

async fn staff(console: Console) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Admin)?;
    staff_page(&console, Ok(None)).await
}

#[derive(Debug, serde::Deserialize)]
struct StaffForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    op: String,
    #[serde(default)]
    email: String,
    role: Option<String>,
}

fn role_of(raw: Option<&str>) -> Result<Role, String> {
    raw.unwrap_or_default()
        .parse::<Role>()
        .map_err(|e| format!("Role: {e}."))
}

async fn change_staff(
    console: Console,
    form: web::Form<StaffForm>,
) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Admin)?;
    console.check_form(&form.csrf)?;
    let pool = &console.state.pool;
    let by = console.session.member.actor();
    let said = |result: Result<String, MemberError>| match result {
        Ok(notice) => Ok(Ok(Some(notice))),
        Err(MemberError::Database(error)) => Err(ConsoleError::from(error)),
        Err(error) => Ok(Err(format!("{error}."))),
    };
    let outcome = match form.op.as_str() {
        "invite" => match (
            EmailAddress::parse(&form.email),
            role_of(form.role.as_deref()),
        ) {
            (Ok(email), Ok(role)) => said(
                members::invite(pool, &email, role, &by)
                    .await
                    .map(|m| format!("{} can now sign in as {role}.", m.email)),
            )?,
            (Err(error), _) | (_, Err(error)) => Err(error),
        },
        "role" => match role_of(form.role.as_deref()) {
            Ok(role) => said(
                members::set_role(pool, &form.email, role, &by)
                    .await
                    .map(|m| format!("{} is now {role}.", m.email)),
            )?,
            Err(error) => Err(error),
        },
        "disable" => said(
            members::disable(pool, &form.email, &by)
                .await
                .map(|m| format!("{} is disabled; their sessions have ended.", m.email)),
        )?,
        _ => return Err(ConsoleError::BadForm("unknown change".into())),
    };
    staff_page(&console, outcome).await
}

async fn keys_page(
    console: &Console,
    outcome: Outcome,
    new_key: Option<String>,
) -> Result<HttpResponse, ConsoleError> {
    let keys = staff_keys::list_keys(&console.state.pool)
        .await?
        .into_iter()
        .map(|k| KeyRow {
            id: k.id.0,
            active: k.revoked_at.is_none(),
            role: k.role.to_string(),
            created: format!("{} by {}", time_text(k.created_at), k.created_by),
            last_used: k.last_used_at.map_or_else(|| "never".into(), time_text),
            status: match (k.revoked_at, k.revoked_by) {
                (Some(at), by) => {
                    format!("revoked {} by {}", time_text(at), by.unwrap_or_default())
                }
                (None, _) => "active".into(),
            },
            name: k.name,
        })
        .collect();
    let (frame, status) = frame(console, "keys", &outcome);
    Ok(html(
        status,
        &AdminKeysPage {
            brand: console.brand(),
            nav: Some(console.nav("admin")),
            frame,
            keys,
            new_key,
        },
    ))
}

async fn keys(console: Console) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Admin)?;
    keys_page(&console, Ok(None), None).await
}

#[derive(Debug, serde::Deserialize)]
struct KeysForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    op: String,
    #[serde(default)]
    name: String,
    role: Option<String>,
    #[serde(default)]
    key: String,
}

async fn change_keys(
    console: Console,
    form: web::Form<KeysForm>,
) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Admin)?;
    console.check_form(&form.csrf)?;
    let pool = &console.state.pool;
    let by = console.session.member.actor();
    match form.op.as_str() {
        "create" => {
            let parsed = KeyName::parse(form.name.trim())
                .map_err(|e| format!("Name: {e}."))
                .and_then(|name| Ok((name, role_of(form.role.as_deref())?)));
            let (name, role) = match parsed {
                Ok(parsed) => parsed,
                Err(error) => return keys_page(&console, Err(error), None).await,
            };
            match staff_keys::create_key(pool, &name, role, &by).await {
                Ok((created, key)) => {
                    let notice = format!("Created the {role} key {}.", created.name);
                    keys_page(&console, Ok(Some(notice)), Some(key.expose().to_owned())).await
                }
                Err(staff_keys::CreateKeyError::Database(error)) => Err(error.into()),
                Err(error) => keys_page(&console, Err(format!("{error}.")), None).await,
            }
        }
        "revoke" => match staff_keys::revoke_key(pool, &form.key, &by).await {
            Ok(revoked) => {
                let notice = format!("Revoked {}: it no longer works.", revoked.name);
                keys_page(&console, Ok(Some(notice)), None).await
            }
            Err(staff_keys::RevokeKeyError::Database(error)) => Err(error.into()),
            Err(error) => keys_page(&console, Err(format!("{error}.")), None).await,
        },
        _ => Err(ConsoleError::BadForm("unknown change".into())),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

async fn audit_log(
    console: Console,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Admin)?;
    let text =
        |s: &str| Some(s.trim().chars().take(200).collect::<String>()).filter(|s| !s.is_empty());
    let day = |s: &str, what: &str| match s.trim() {
        "" => Ok(None),
        raw => chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("{what}: a day like 2026-11-30 expected.")),
    };
    let dates = day(&query.from, "From").and_then(|from| Ok((from, day(&query.to, "To")?)));
    let action = text(&query.action).filter(|a| Action::VARIANTS.contains(&a.as_str()));
    let (entries, outcome) = match dates {
        Ok((from, to)) => {
            let filter = AuditFilter {
                actor: text(&query.actor),
                action,
                target: text(&query.target),
                from,
                to,
            };
            (
                audit::search(&console.state.pool, &filter, AUDIT_LISTED).await?,
                Ok(None),
            )
        }
        Err(error) => (Vec::new(), Err(error)),
    };
    let (frame, status) = frame(&console, "audit", &outcome);
    Ok(html(
        status,
        &AdminAuditPage {
            brand: console.brand(),
            nav: Some(console.nav("admin")),
            frame,
            actions: Action::VARIANTS,
            f: AuditFilterView {
                actor: text(&query.actor).unwrap_or_default(),
                action: text(&query.action).unwrap_or_default(),
                target: text(&query.target).unwrap_or_default(),
                from: text(&query.from).unwrap_or_default(),
                to: text(&query.to).unwrap_or_default(),
            },
            limit: AUDIT_LISTED as usize,
            entries: entries
                .into_iter()
                .map(|e| AuditRow {
                    at: time_text(e.at),
                    actor: e.actor,
                    action: e.action,
                    reason: e.reason,
                    target: e.target,
                })
                .collect(),
        },
    ))
}

fn signing_page(console: &Console, outcome: Outcome) -> HttpResponse {
    let keyring = console.state.minter.issuer.keyring();
    let keys = keyring
        .keys()
        .iter()
        .map(|k| SigningKeyRow {
            kid: k.kid.clone(),
            algorithm: format!("{:?}", k.algorithm),
            created: time_text(k.created),
        })
        .collect();
    let (frame, status) = frame(console, "signing-keys", &outcome);
    html(
        status,
        &AdminSigningKeysPage {
            brand: console.brand(),
            nav: Some(console.nav("admin")),
            frame,
            keys,
            dir: keyring.dir().display().to_string(),
        },
    )
}

async fn signing(console: Console) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Admin)?;
    // Listing reads the directory again, so keys added by `billpass keys generate` show.
    let _ = console.state.minter.issuer.keyring().jwks();
    Ok(signing_page(&console, Ok(None)))
}

#[derive(Debug, serde::Deserialize)]
struct GenerateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    alg: String,
    confirm: Option<String>,
}

async fn generate(
    console: Console,
    form: web::Form<GenerateForm>,
) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Admin)?;
    console.check_form(&form.csrf)?;
    let algorithm = match form.alg.as_str() {
        "eddsa" => KeyAlgorithm::EdDsa,
        "es256" => KeyAlgorithm::Es256,
        _ => {
            return Ok(signing_page(
                &console,
                Err("Algorithm: eddsa or es256 expected.".into()),
            ));
        }
    };
    if form.confirm.as_deref() != Some("yes") {
        return Ok(signing_page(
            &console,
            Err("Tick the box to confirm.".into()),
        ));
    }
    let keyring = console.state.minter.issuer.keyring();
    let dir = keyring.dir().to_owned();
    let (kid, _) = web::block(move || signing_keys::generate(&dir, algorithm))
        .await
        .map_err(anyhow::Error::from)??;
    let mut tx = crate::infra::db::begin(&console.state.pool).await?;
    Record::new(Action::SigningKeyGenerate, &kid)
        .write(&mut tx, &console.session.member.actor())
        .await?;
    tx.commit().await?;
    let _ = keyring.jwks();
    Ok(signing_page(
        &console,
        Ok(Some(format!(
            "Generated key {kid}: it signs new links from now on."
        ))),
    ))
}
