//! The brands a deployment bills under, stored beside the default one its settings
//! describe: added and changed by `billpass brands` and admins, each change in the audit
//! log; and the book of them every process keeps in memory, read again every few seconds.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use url::Url;

use crate::domain::brand::{
    parse_audience, parse_name, parse_public_url, parse_signing_kid, parse_sms_from,
    parse_support_email, parse_support_hours, parse_support_phone, parse_support_url,
};
use crate::domain::calendar::TimeZone;
use crate::domain::locale::parse_locale;
use crate::domain::{Actor, Brand, BrandBook, BrandId, Colour, Logo, PayUrl};
use crate::infra::db;
use crate::staff::audit::{Action, Record};
use crate::tokens::jwt::STAFF_AUDIENCE;

/// How often a running process reads the brands again: a change shows within this.
pub const RELOAD_EVERY: Duration = Duration::from_secs(5);

/// What a brand is given when added or changed: `None` leaves a value as it is (on
/// adding, unset). Every value is checked before it gets here.
#[derive(Debug, Clone, Default)]
pub struct BrandChanges {
    pub name: Option<String>,
    pub audience: Option<String>,
    pub public_url: Option<Url>,
    pub locale: Option<String>,
    pub timezone: Option<TimeZone>,
    pub support_phone: Option<String>,
    pub support_email: Option<String>,
    pub support_url: Option<Url>,
    pub support_hours: Option<String>,
    pub pay_url: Option<PayUrl>,
    pub email_from: Option<String>,
    pub sms_from: Option<String>,
    pub logo: Option<Logo>,
    pub colour: Option<Colour>,
    pub signing_kid: Option<String>,
}

/// A brand's values as given on the command line, through the API or in the console's
/// form, not yet checked: each is read by [`BrandForm::changes`], the one place that checks
/// them. Empty values are not given.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct BrandForm {
    /// The name customers read (`Acme Water`).
    #[arg(long)]
    pub name: Option<String>,
    /// Its tokens' `aud`: unique to the brand.
    #[arg(long)]
    pub audience: Option<String>,
    /// Its own base URL for links (`https://bills.water.example`); its links then open only there.
    #[arg(long)]
    pub public_url: Option<String>,
    /// A language tag (`de-DE`).
    #[arg(long)]
    pub locale: Option<String>,
    /// An IANA time zone (`Europe/Berlin`).
    #[arg(long)]
    pub timezone: Option<String>,
    /// Customer service's phone number, as customers should read it.
    #[arg(long)]
    pub support_phone: Option<String>,
    /// Customer service's email address.
    #[arg(long)]
    pub support_email: Option<String>,
    /// Customer service's web page.
    #[arg(long)]
    pub support_url: Option<String>,
    /// When customer service answers (`Mon-Fri 8am-6pm`).
    #[arg(long)]
    pub support_hours: Option<String>,
    /// A URL template with `{account_id}` and `{amount}`.
    #[arg(long)]
    pub pay_url: Option<String>,
    /// `Acme Water <bills@water.example>`.
    #[arg(long)]
    pub email_from: Option<String>,
    /// A number (`+15550100100`) or a sender id (`AcmeWater`).
    #[arg(long)]
    pub sms_from: Option<String>,
    /// The logo, as SVG text: a plain drawing, at most 64 KiB.
    #[arg(skip)]
    pub logo_svg: Option<String>,
    /// `#rrggbb`, dark enough for white text on it.
    #[arg(long)]
    pub colour: Option<String>,
    /// The id of the key that signs its links (`billpass keys list`).
    #[arg(long)]
    pub signing_kid: Option<String>,
}

/// A value that did not pass its check: the field's name and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl BrandForm {
    /// The checked changes, or every value that failed its check.
    pub fn changes(&self) -> Result<BrandChanges, Vec<FieldError>> {
        let mut c = Checked::default();
        let changes = BrandChanges {
            name: c.read("name", &self.name, parse_name),
            audience: c.read("audience", &self.audience, |raw| {
                parse_audience(raw, STAFF_AUDIENCE)
            }),
            public_url: c.read("public_url", &self.public_url, parse_public_url),
            locale: c.read("locale", &self.locale, parse_locale),
            timezone: c.read("timezone", &self.timezone, TimeZone::parse),
            support_phone: c.read("support_phone", &self.support_phone, parse_support_phone),
            support_email: c.read("support_email", &self.support_email, parse_support_email),
            support_url: c.read("support_url", &self.support_url, parse_support_url),
            support_hours: c.read("support_hours", &self.support_hours, parse_support_hours),
            pay_url: c.read("pay_url", &self.pay_url, PayUrl::parse),
            email_from: c.read("email_from", &self.email_from, parse_email_from),
            sms_from: c.read("sms_from", &self.sms_from, parse_sms_from),
            logo: c.read("logo_svg", &self.logo_svg, Logo::parse),
            colour: c.read("colour", &self.colour, Colour::parse),
            signing_kid: c.read("signing_kid", &self.signing_kid, parse_signing_kid),
        };
        match c.errors.is_empty() {
            true => Ok(changes),
            false => Err(c.errors),
        }
    }
}

/// The errors of the values read so far.
#[derive(Default)]
struct Checked {
    errors: Vec<FieldError>,
}

impl Checked {
    /// `value` checked by `parse`; none when not given (or blank), or when it failed, which
    /// is noted.
    fn read<T>(
        &mut self,
        field: &'static str,
        value: &Option<String>,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = value.as_deref().filter(|raw| !raw.trim().is_empty())?;
        parse(raw)
            .map_err(|message| self.errors.push(FieldError { field, message }))
            .ok()
    }
}

/// A sender like `Acme Water <bills@water.example>`.
fn parse_email_from(raw: &str) -> Result<String, String> {
    raw.trim()
        .parse::<lettre::message::Mailbox>()
        .map(|mailbox| mailbox.to_string())
        .map_err(|_| "expected a sender like `Acme Water <bills@water.example>`".into())
}

/// Why a brand was not added or changed.
#[derive(Debug, thiserror::Error)]
pub enum BrandError {
    #[error(
        "the default brand is described by the settings (BILLPASS_BRAND, BILLPASS_TOKEN_AUDIENCE, BILLPASS_SUPPORT_*, …); change them there"
    )]
    Default,
    #[error("a brand `{0}` already exists: change it with `billpass brands update`")]
    Exists(BrandId),
    #[error("no brand `{0}`: see `billpass brands list`")]
    Unknown(BrandId),
    #[error("the audience `{0}` is another brand's: each brand's tokens need their own")]
    AudienceTaken(String),
    #[error("a new brand needs a --name and an --audience")]
    Incomplete,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A brand as stored.
struct BrandRecord {
    id: BrandId,
    name: String,
    audience: String,
    public_url: Option<String>,
    locale: Option<String>,
    timezone: Option<String>,
    support_phone: Option<String>,
    support_email: Option<String>,
    support_url: Option<String>,
    support_hours: Option<String>,
    pay_url: Option<String>,
    email_from: Option<String>,
    sms_from: Option<String>,
    logo_svg: Option<String>,
    colour: Option<String>,
    signing_kid: Option<String>,
}

impl BrandRecord {
    /// The brand, its stored values read again as they were checked; `default` gives the
    /// time zone of a brand that has none.
    fn brand(self, default: &Brand) -> Brand {
        Brand {
            public_url: parsed(self.public_url, |raw| {
                Url::parse(raw).map_err(|e| e.to_string())
            }),
            timezone: parsed(self.timezone, TimeZone::parse).unwrap_or(default.timezone),
            support_url: parsed(self.support_url, parse_support_url),
            pay_url: parsed(self.pay_url, PayUrl::parse),
            logo: parsed(self.logo_svg, Logo::parse),
            colour: parsed(self.colour, Colour::parse),
            id: self.id,
            name: self.name,
            audience: self.audience,
            locale: self.locale,
            support_phone: self.support_phone,
            support_email: self.support_email,
            support_hours: self.support_hours,
            email_from: self.email_from,
            sms_from: self.sms_from,
            signing_kid: self.signing_kid,
        }
    }
}

/// A stored value read again; checked when stored, so it reads again but for a change of
/// rules since.
fn parsed<T>(value: Option<String>, parse: impl Fn(&str) -> Result<T, String>) -> Option<T> {
    value.and_then(|raw| parse(&raw).ok())
}

/// The stored brands, by id.
async fn stored(conn: &mut PgConnection, default: &Brand) -> sqlx::Result<Vec<Brand>> {
    let records = sqlx::query_as!(
        BrandRecord,
        r#"SELECT id AS "id: BrandId", name, audience, public_url, locale, timezone,
                  support_phone, support_email, support_url, support_hours, pay_url,
                  email_from, sms_from, logo_svg, colour, signing_kid
           FROM brands ORDER BY id"#
    )
    .fetch_all(conn)
    .await?;
    Ok(records
        .into_iter()
        .map(|record| record.brand(default))
        .collect())
}

/// The book of `default` and the stored brands.
pub async fn book(pool: &PgPool, default: &Brand) -> sqlx::Result<BrandBook> {
    let mut conn = pool.acquire().await?;
    Ok(BrandBook::new(
        default.clone(),
        stored(&mut conn, default).await?,
    ))
}

/// Neither the default brand, described by the settings, nor its audience are stored.
fn refuse_default(id: &BrandId, changes: &BrandChanges, default: &Brand) -> Result<(), BrandError> {
    if id.is_default() {
        return Err(BrandError::Default);
    }
    match changes
        .audience
        .as_ref()
        .filter(|a| **a == default.audience)
    {
        Some(audience) => Err(BrandError::AudienceTaken(audience.clone())),
        None => Ok(()),
    }
}

/// Adds brand `id`; `default` is the default brand, whose audience no other may take.
pub async fn add(
    pool: &PgPool,
    id: &BrandId,
    changes: &BrandChanges,
    default: &Brand,
    by: &Actor,
) -> Result<(), BrandError> {
    refuse_default(id, changes, default)?;
    let (Some(name), Some(audience)) = (&changes.name, &changes.audience) else {
        return Err(BrandError::Incomplete);
    };
    let mut tx = db::begin(pool).await?;
    let added = sqlx::query!(
        "INSERT INTO brands (id, name, audience) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        id.as_str(),
        name,
        audience,
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| audience_taken(e, audience))?;
    if added.rows_affected() == 0 {
        return Err(BrandError::Exists(id.clone()));
    }
    set(&mut tx, id, changes).await?;
    Record {
        details: json!({ "name": name, "audience": audience }),
        ..Record::new(Action::BrandAdd, id.as_str())
    }
    .write(&mut tx, by)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes brand `id`: the values given, the others as they are.
pub async fn update(
    pool: &PgPool,
    id: &BrandId,
    changes: &BrandChanges,
    default: &Brand,
    by: &Actor,
) -> Result<(), BrandError> {
    refuse_default(id, changes, default)?;
    let mut tx = db::begin(pool).await?;
    if !set(&mut tx, id, changes).await? {
        return Err(BrandError::Unknown(id.clone()));
    }
    Record {
        details: json!({ "changed": changes.names() }),
        ..Record::new(Action::BrandUpdate, id.as_str())
    }
    .write(&mut tx, by)
    .await?;
    tx.commit().await?;
    Ok(())
}

impl BrandChanges {
    /// The names of the values given, for the audit log.
    fn names(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("audience", self.audience.is_some()),
            ("public_url", self.public_url.is_some()),
            ("locale", self.locale.is_some()),
            ("timezone", self.timezone.is_some()),
            ("support_phone", self.support_phone.is_some()),
            ("support_email", self.support_email.is_some()),
            ("support_url", self.support_url.is_some()),
            ("support_hours", self.support_hours.is_some()),
            ("pay_url", self.pay_url.is_some()),
            ("email_from", self.email_from.is_some()),
            ("sms_from", self.sms_from.is_some()),
            ("logo", self.logo.is_some()),
            ("colour", self.colour.is_some()),
            ("signing_kid", self.signing_kid.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }
}

/// Writes the values given; whether the brand exists.
async fn set(
    conn: &mut PgConnection,
    id: &BrandId,
    changes: &BrandChanges,
) -> Result<bool, BrandError> {
    let text = |value: &Option<Url>| value.as_ref().map(Url::to_string);
    let audience = changes.audience.as_deref().unwrap_or_default();
    let updated = sqlx::query!(
        "UPDATE brands SET
            name = COALESCE($2, name), audience = COALESCE($3, audience),
            public_url = COALESCE($4, public_url), locale = COALESCE($5, locale),
            timezone = COALESCE($6, timezone), support_phone = COALESCE($7, support_phone),
            support_email = COALESCE($8, support_email), support_url = COALESCE($9, support_url),
            support_hours = COALESCE($10, support_hours), pay_url = COALESCE($11, pay_url),
            email_from = COALESCE($12, email_from), sms_from = COALESCE($13, sms_from),
            logo_svg = COALESCE($14, logo_svg), colour = COALESCE($15, colour),
            signing_kid = COALESCE($16, signing_kid), updated_at = now()
         WHERE id = $1",
        id.as_str(),
        changes.name,
        changes.audience,
        text(&changes.public_url),
        changes.locale,
        changes.timezone.map(|zone| zone.name()),
        changes.support_phone,
        changes.support_email,
        text(&changes.support_url),
        changes.support_hours,
        changes.pay_url.as_ref().map(PayUrl::as_str),
        changes.email_from,
        changes.sms_from,
        changes.logo.as_ref().map(Logo::as_str),
        changes.colour.map(|colour| colour.to_string()),
        changes.signing_kid,
    )
    .execute(conn)
    .await
    .map_err(|e| audience_taken(e, audience))?;
    Ok(updated.rows_affected() == 1)
}

/// A write refused because another brand has the audience says so.
fn audience_taken(error: sqlx::Error, audience: &str) -> BrandError {
    let taken = error
        .as_database_error()
        .is_some_and(|e| e.constraint() == Some("brands_audience_key"));
    match taken {
        true => BrandError::AudienceTaken(audience.to_owned()),
        false => BrandError::Database(error),
    }
}

/// The brands as this process knows them: read at start, then again every
/// [`RELOAD_EVERY`] and after a change made here.
#[derive(Clone)]
pub struct Brands {
    default: Arc<Brand>,
    book: Arc<RwLock<Arc<BrandBook>>>,
}

impl Brands {
    /// Reads the stored brands beside `default`.
    pub async fn load(pool: &PgPool, default: Brand) -> sqlx::Result<Self> {
        let book = book(pool, &default).await?;
        Ok(Self {
            default: Arc::new(default),
            book: Arc::new(RwLock::new(Arc::new(book))),
        })
    }

    /// The default brand alone, for what runs without a database.
    pub fn only(default: Brand) -> Self {
        let book = BrandBook::new(default.clone(), []);
        Self {
            default: Arc::new(default),
            book: Arc::new(RwLock::new(Arc::new(book))),
        }
    }

    /// The brands now.
    pub fn current(&self) -> Arc<BrandBook> {
        self.book.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The default brand as the settings describe it.
    pub fn default_brand(&self) -> &Brand {
        &self.default
    }

    /// Reads the brands again.
    pub async fn reload(&self, pool: &PgPool) -> sqlx::Result<()> {
        let book = Arc::new(book(pool, &self.default).await?);
        *self.book.write().unwrap_or_else(|e| e.into_inner()) = book;
        Ok(())
    }

    /// Reads the brands again every [`RELOAD_EVERY`], until `pool` is closed; a failed read keeps the brands known and is tried again next time.
    pub async fn follow(self, pool: PgPool) {
        let mut every = tokio::time::interval(RELOAD_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        every.tick().await;
        loop {
            every.tick().await;
            if pool.is_closed() {
                return;
            }
            if let Err(error) = self.reload(&pool).await {
                tracing::warn!("reading the brands again: {error}");
            }
        }
    }
}

/// A brand as `billpass brands list` and the admin API show it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BrandSummary {
    #[schema(value_type = String)]
    pub id: BrandId,
    pub name: String,
    pub audience: String,
    pub public_url: Option<String>,
    pub locale: Option<String>,
    pub timezone: String,
    pub support_phone: Option<String>,
    pub support_email: Option<String>,
    pub colour: Option<String>,
    pub has_logo: bool,
    pub email_from: Option<String>,
    pub sms_from: Option<String>,
    pub signing_kid: Option<String>,
}

impl From<&Brand> for BrandSummary {
    fn from(brand: &Brand) -> Self {
        Self {
            id: brand.id.clone(),
            name: brand.name.clone(),
            audience: brand.audience.clone(),
            public_url: brand.public_url.as_ref().map(Url::to_string),
            locale: brand.locale.clone(),
            timezone: brand.timezone.name().to_owned(),
            support_phone: brand.support_phone.clone(),
            support_email: brand.support_email.clone(),
            colour: brand.colour.map(|colour| colour.to_string()),
            has_logo: brand.logo.is_some(),
            email_from: brand.email_from.clone(),
            sms_from: brand.sms_from.clone(),
            signing_kid: brand.signing_kid.clone(),
        }
    }
}

impl std::fmt::Debug for Brands {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let book = self.current();
        f.debug_list()
            .entries(book.all().iter().map(|brand| brand.id.as_str()))
            .finish()
    }
}
