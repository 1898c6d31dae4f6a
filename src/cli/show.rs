//! What commands print as tables: columns that stay aligned whatever their contents.

use std::fmt::Write;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use comfy_table::presets::NOTHING;
use comfy_table::{ContentArrangement, Table};

use crate::domain::Brand;
use crate::domain::calendar::time_text;
use crate::links::history::CustomerHistory;
use crate::staff::keys::KeyInfo;
use crate::staff::members::StaffMember;
use crate::tokens::keys::SigningKey;

/// A table without borders, its header in the first row, each column as wide as its widest
/// cell.
fn table<const N: usize>(header: [&str; N]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header);
    table
}

/// `2026-11-24 19:26`, or `-`.
fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "-".into(), |at| at.format("%Y-%m-%d %H:%M").to_string())
}

/// The table with a line break after it.
fn rendered(table: &Table) -> String {
    format!("{table}\n")
}

/// `billpass keys list`: each key and what it does now.
pub fn signing_keys(keys: &[(Arc<SigningKey>, String)]) -> String {
    let mut listed = table(["kid", "alg", "created", "status"]);
    for (key, status) in keys {
        listed.add_row([
            key.kid.clone(),
            key.algorithm.to_string(),
            key.created.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            status.clone(),
        ]);
    }
    rendered(&listed)
}

/// `billpass staff list-keys`: every API key, never the key itself.
pub fn staff_keys(keys: &[KeyInfo]) -> String {
    let mut listed = table(["id", "name", "role", "created", "last used", "status"]);
    for key in keys {
        let status = match &key.revoked_at {
            Some(at) => format!(
                "revoked {} by {}",
                when(Some(*at)),
                key.revoked_by.as_deref().unwrap_or("?")
            ),
            None => "active".to_owned(),
        };
        let last_used = key
            .last_used_at
            .map_or_else(|| "never".to_owned(), |at| when(Some(at)));
        listed.add_row([
            key.id.to_string(),
            key.name.clone(),
            key.role.to_string(),
            when(Some(key.created_at)),
            last_used,
            status,
        ]);
    }
    rendered(&listed)
}

/// `billpass brands list`: each brand, the default one first.
pub fn brands(brands: &[Arc<Brand>]) -> String {
    let mut listed = table([
        "id",
        "name",
        "audience",
        "links on",
        "locale",
        "time zone",
        "colour",
        "logo",
        "key",
    ]);
    for brand in brands {
        let or_dash = |value: Option<&str>| value.unwrap_or("-").to_owned();
        listed.add_row([
            brand.id.to_string(),
            brand.name.clone(),
            brand.audience.clone(),
            brand
                .public_url
                .as_ref()
                .map_or_else(|| "the deployment's URL".to_owned(), |url| url.to_string()),
            or_dash(brand.locale.as_deref()),
            brand.timezone.name().to_owned(),
            brand
                .colour
                .map_or_else(|| "-".to_owned(), |c| c.to_string()),
            if brand.logo.is_some() { "yes" } else { "-" }.to_owned(),
            or_dash(brand.signing_kid.as_deref()),
        ]);
    }
    rendered(&listed)
}

/// `billpass staff list`.
pub fn staff_members(members: &[StaffMember]) -> String {
    let mut listed = table(["email", "role", "since", "signs in by", "status"]);
    for member in members {
        listed.add_row([
            member.email.clone(),
            member.role.to_string(),
            when(Some(member.created_at)),
            match member.oidc_subject {
                Some(_) => "single sign-on".to_owned(),
                None => "emailed link".to_owned(),
            },
            match member.disabled_at {
                Some(at) => format!("disabled {}", when(Some(at))),
                None => "enabled".to_owned(),
            },
        ]);
    }
    rendered(&listed)
}

/// `billpass customer show`: the profile, then links, messages, openings and staff actions,
/// newest first, addresses masked.
pub fn customer(history: &CustomerHistory) -> String {
    let profile = &history.profile;
    let mut out = String::new();
    let _ = writeln!(out, "{} · {}", profile.account_id, profile.name);
    let mut facts = table(["", ""]);
    facts.set_header(Vec::<String>::new());
    facts.add_row(["email", profile.email.as_deref().unwrap_or("-")]);
    facts.add_row(["phone", profile.phone.as_deref().unwrap_or("-")]);
    facts.add_row(["prefers", profile.channel.as_str()]);
    facts.add_row(["language", profile.locale.as_str()]);
    if let Some(at) = profile.sms_opted_out_at {
        facts.add_row(["texts".to_owned(), format!("opted out {}", time_text(at))]);
    }
    let current = match &history.current_link {
        Some(link) => format!(
            "{} ({}, until {})",
            link.status,
            link.jti,
            time_text(link.expires_at)
        ),
        None => "none yet".to_owned(),
    };
    facts.add_row(["current link".to_owned(), current]);
    out.push_str(&rendered(&facts));

    let _ = writeln!(out, "\nLinks");
    let mut links = table([
        "jti", "status", "why", "bill", "by", "channel", "minted", "expires", "note",
    ]);
    for link in &history.links {
        let note = link
            .revoke_reason
            .as_deref()
            .or(link.resend_reason.as_deref())
            .unwrap_or("");
        links.add_row([
            link.jti.to_string(),
            link.status.to_string(),
            link.reason.to_string(),
            link.bill_cycle.to_string(),
            link.minted_by.clone(),
            link.channel.to_string(),
            when(Some(link.minted_at)),
            when(Some(link.expires_at)),
            note.to_owned(),
        ]);
    }
    out.push_str(&rendered(&links));

    let _ = writeln!(out, "\nMessages");
    let mut messages = table([
        "id",
        "jti",
        "channel",
        "to",
        "status",
        "attempts",
        "sent",
        "last error",
    ]);
    for delivery in &history.deliveries {
        messages.add_row([
            delivery.id.to_string(),
            delivery.jti.to_string(),
            delivery.channel.to_string(),
            delivery.destination.clone(),
            delivery.status.to_string(),
            delivery.attempts.to_string(),
            when(delivery.sent_at),
            delivery.last_error.clone().unwrap_or_default(),
        ]);
    }
    out.push_str(&rendered(&messages));

    let _ = writeln!(out, "\nOpenings (presses of View my bill)");
    let mut openings = table(["jti", "opened"]);
    for opening in &history.openings {
        openings.add_row([opening.jti.to_string(), when(Some(opening.opened_at))]);
    }
    out.push_str(&rendered(&openings));

    let _ = writeln!(out, "\nStaff actions");
    let mut audit = table(["at", "who", "action", "reason"]);
    for entry in &history.audit {
        audit.add_row([
            when(Some(entry.at)),
            entry.actor.clone(),
            entry.action.clone(),
            entry.reason.clone().unwrap_or_default(),
        ]);
    }
    out.push_str(&rendered(&audit));
    out
}
