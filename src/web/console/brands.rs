//! `GET /staff/admin/brands`: the brands customers are billed under, and the form that adds
//! or changes one (role: admin). The default brand is described by the settings and only
//! listed.

use actix_web::{HttpResponse, web};
use serde_json::{Map, Value};

use super::admin::{Outcome, frame};
use super::form_config;
use super::pages::{AdminBrandsPage, BrandField, BrandRow};
use super::session::{Console, ConsoleError};
use crate::billing::brands::{self, BrandError, BrandForm, BrandSummary, FieldError};
use crate::domain::{BrandId, Role};
use crate::web::{html, read, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/admin/brands", "GET, HEAD, POST")
            .app_data(form_config(FORM_LIMIT))
            .route(read().to(list))
            .route(web::post().to(change)),
    );
}

/// A logo of up to 64 KiB, percent-encoded, and the other values.
const FORM_LIMIT: usize = 256 * 1024;

/// The form's fields: each value's name, label and what it takes.
const FIELDS: [(&str, &str, &str); 14] = [
    ("name", "Name", "As customers read it: Acme Water"),
    ("audience", "Audience", "Its tokens' aud, unique: water"),
    (
        "public_url",
        "Own address",
        "https://bills.water.example (optional)",
    ),
    ("locale", "Language", "es-ES"),
    ("timezone", "Time zone", "Europe/Madrid"),
    ("colour", "Colour", "#005a8c, dark enough for white text"),
    ("support_phone", "Support phone", "+34 900 000 000"),
    ("support_email", "Support email", "help@water.example"),
    ("support_url", "Support page", "https://water.example/help"),
    ("support_hours", "Support hours", "Mon-Fri 9-18"),
    (
        "pay_url",
        "Pay page",
        "https://pay.water.example/?a={account_id}&amount={amount}",
    ),
    (
        "email_from",
        "Email sender",
        "Acme Water <bills@water.example>",
    ),
    ("sms_from", "Text sender", "AcmeWater or +34600000000"),
    (
        "signing_kid",
        "Signing key",
        "A key id from Signing keys (optional)",
    ),
];

async fn list(console: Console) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Admin)?;
    page(&console, Ok(None), &[], Map::new()).await
}

/// The page after `outcome`, the form filled with `typed` and its `errors` marked.
async fn page(
    console: &Console,
    outcome: Outcome,
    errors: &[FieldError],
    typed: Map<String, Value>,
) -> Result<HttpResponse, ConsoleError> {
    console.state.brands.reload(&console.state.pool).await?;
    let book = console.state.brands.current();
    let rows = book
        .all()
        .iter()
        .map(|brand| BrandRow {
            logo: brand.logo.is_some(),
            s: BrandSummary::from(&**brand),
        })
        .collect();
    let text = |name: &str| typed.get(name).and_then(Value::as_str).unwrap_or_default();
    let fields = FIELDS
        .iter()
        .map(|(name, label, hint)| BrandField {
            name,
            label,
            hint,
            value: text(name).to_owned(),
            error: errors
                .iter()
                .find(|e| e.field == *name)
                .map(|e| e.message.clone()),
        })
        .collect();
    let logo_error = errors
        .iter()
        .find(|e| e.field == "logo_svg")
        .map(|e| e.message.clone());
    let (frame, status) = frame(console, "brands", &outcome);
    Ok(html(
        status,
        &AdminBrandsPage {
            brand: console.brand(),
            nav: Some(console.nav("admin")),
            frame,
            rows,
            fields,
            id: text("id").to_owned(),
            logo_svg: text("logo_svg").to_owned(),
            logo_error,
        },
    ))
}

/// Adds (`op=add`) or changes (`op=update`) the brand of the form's `id`; a blank value
/// leaves a brand's value as it is.
async fn change(
    console: Console,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Admin)?;
    let mut typed = Map::new();
    let (mut csrf, mut op) = (String::new(), String::new());
    for (name, value) in form.into_inner() {
        match name.as_str() {
            "csrf" => csrf = value,
            "op" => op = value,
            _ => {
                typed.insert(name, Value::String(value));
            }
        }
    }
    console.check_form(&csrf)?;
    let raw_id = typed
        .remove("id")
        .and_then(|v| v.as_str().map(str::to_owned));
    let id = match BrandId::parse(raw_id.as_deref().unwrap_or_default().trim()) {
        Ok(id) => id,
        Err(error) => {
            typed.insert("id".into(), Value::String(raw_id.unwrap_or_default()));
            return page(&console, Err(format!("Id: {error}.")), &[], typed).await;
        }
    };
    let checked: Result<BrandForm, _> = serde_json::from_value(Value::Object(typed.clone()));
    let form = checked.map_err(|_| ConsoleError::BadForm("unknown field".into()))?;
    typed.insert("id".into(), Value::String(id.to_string()));
    let changes = match form.changes() {
        Ok(changes) => changes,
        Err(errors) => {
            let error = "Nothing was changed: correct the values marked below.".to_owned();
            return page(&console, Err(error), &errors, typed).await;
        }
    };
    if let Some(kid) = &changes.signing_kid
        && console
            .state
            .minter
            .issuer
            .keyring()
            .verifying_key(kid)
            .is_none()
    {
        let errors = [FieldError {
            field: "signing_kid",
            message: format!("no key `{kid}`: see Signing keys"),
        }];
        let error = "Nothing was changed: correct the values marked below.".to_owned();
        return page(&console, Err(error), &errors, typed).await;
    }
    let state = &console.state;
    let by = console.session.member.actor();
    let default = state.brands.default_brand();
    let done = match op.as_str() {
        "add" => brands::add(&state.pool, &id, &changes, default, &by)
            .await
            .map(|()| format!("Added the brand {id}.")),
        "update" => brands::update(&state.pool, &id, &changes, default, &by)
            .await
            .map(|()| format!("Changed the brand {id}.")),
        _ => return Err(ConsoleError::BadForm("unknown change".into())),
    };
    match done {
        Ok(notice) => page(&console, Ok(Some(notice)), &[], Map::new()).await,
        Err(BrandError::Database(error)) => Err(error.into()),
        Err(error) => page(&console, Err(format!("{error}.")), &[], typed).await,
    }
}
