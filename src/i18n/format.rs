//! Numbers, money, dates and times as a locale writes them, by ICU4X from CLDR's data
//! (`121,66 €` in de-DE, `1 234,56 €` in fr-FR, `$1,234.56` in en-US, `￥14,422` in ja-JP).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use fixed_decimal::Decimal;
use icu_calendar::Gregorian;
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::{M, MD, T, YM, YMD};
use icu_datetime::input::{Date, Time};
use icu_decimal::DecimalFormatter;
use icu_experimental::dimension::currency::CurrencyType;
use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
use icu_experimental::dimension::percent::formatter::PercentFormatter;
use icu_locale_core::Locale;
use writeable::Writeable;

use crate::domain::calendar::TimeZone;
use crate::domain::{Currency, Money};

/// Languages whose numbers and dates are written their own way; any other is written as
/// English is (ICU4X would fall back to CLDR's root, which no reader expects).
pub(super) const FORMATTED_LANGUAGES: &[&str] = &[
    "ar", "bg", "ca", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "he", "hi", "hr",
    "hu", "id", "is", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "nn", "no", "pl", "pt",
    "ro", "ru", "sk", "sl", "sr", "sv", "th", "tr", "uk", "vi", "zh",
];

/// The locales whose formatters were made, kept: making one reads CLDR data.
static MADE: LazyLock<Mutex<HashMap<String, Arc<Formats>>>> = LazyLock::new(Default::default);

/// At most this many locales are kept; past it, formatters are made for each use.
const KEPT: usize = 256;

/// How one locale writes numbers, money, dates and times.
pub struct Formats {
    locale: Locale,
    decimal: DecimalFormatter,
    date: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    day_month: FixedCalendarDateTimeFormatter<Gregorian, MD>,
    numeric_day_month: FixedCalendarDateTimeFormatter<Gregorian, MD>,
    month: FixedCalendarDateTimeFormatter<Gregorian, M>,
    long_month: FixedCalendarDateTimeFormatter<Gregorian, M>,
    month_year: FixedCalendarDateTimeFormatter<Gregorian, YM>,
    time: FixedCalendarDateTimeFormatter<Gregorian, T>,
    percent: PercentFormatter<DecimalFormatter>,
    money: Mutex<HashMap<Currency, Option<Arc<CurrencyWriting>>>>,
}

/// How a locale writes a currency: ICU's currency formatter, and what it writes before and
/// after the number for each sign (`$` and nothing, `-$` and nothing, nothing and ` €`).
struct CurrencyWriting {
    formatter: CurrencyFormatter<DecimalFormatter>,
    /// Positive, then negative; found by writing one unit (`$1.00`), they let an amount be
    /// written with the decimal formatter alone, and with every digit a rate has.
    around: Option<[(String, String); 2]>,
}

impl CurrencyWriting {
    fn of(locale: &Locale, decimal: &DecimalFormatter, currency: Currency) -> Option<Self> {
        let code = CurrencyType::try_from_str(currency.code()).ok()?;
        let formatter = CurrencyFormatter::try_new_symbol(locale.into(), code, Default::default())
            .or_else(|_| CurrencyFormatter::try_new_code(locale.into(), code, Default::default()))
            .ok()?;
        let one = padded(1, currency.exponent());
        let number = written(decimal.format(&one));
        let around = |sign| {
            let mut unit = one.clone();
            unit.sign = sign;
            let unit = written(formatter.format_fixed_decimal(&unit));
            let (before, after) = unit.split_once(&number)?;
            Some((before.to_owned(), after.to_owned()))
        };
        let around = around(fixed_decimal::Sign::None).zip(around(fixed_decimal::Sign::Negative));
        Some(Self {
            formatter,
            around: around.map(|(positive, negative)| [positive, negative]),
        })
    }

    /// `value` in this currency. A currency whose unit ICU writes otherwise (rounded to
    /// CLDR's digits for it) is written by ICU's currency formatter itself.
    fn write(&self, value: &Decimal, decimal: &DecimalFormatter) -> String {
        let Some([positive, negative]) = &self.around else {
            return written(self.formatter.format_fixed_decimal(value));
        };
        let (before, after) = match value.sign {
            fixed_decimal::Sign::Negative => negative,
            _ => positive,
        };
        let magnitude = Decimal::new(fixed_decimal::Sign::None, value.absolute.clone());
        let number = decimal.format(&magnitude);
        let mut text = String::with_capacity(before.len() + 16 + after.len());
        text.push_str(before);
        let _ = number.write_to(&mut text);
        text.push_str(after);
        text
    }
}

impl Formats {
    /// The formats of `tag` (`de-DE`), or English's when its language is not one ICU4X
    /// writes in its own way or the tag does not parse.
    pub fn of(tag: &str) -> Arc<Formats> {
        let locale = tag
            .replace('_', "-")
            .parse::<Locale>()
            .ok()
            .filter(|locale| FORMATTED_LANGUAGES.contains(&locale.id.language.as_str()))
            .unwrap_or_else(|| "en".parse().expect("`en` is a locale"));
        let key = locale.to_string();
        let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(formats) = made.get(&key) {
            return formats.clone();
        }
        let formats = Arc::new(Formats::make(locale));
        if made.len() < KEPT {
            made.insert(key, formats.clone());
        }
        formats
    }

    fn make(locale: Locale) -> Self {
        let prefs = (&locale).into();
        let decimal = DecimalFormatter::try_new((&locale).into(), Default::default())
            .expect("compiled data has decimal symbols for every locale");
        let date = |fields| {
            FixedCalendarDateTimeFormatter::try_new(prefs, fields)
                .expect("compiled data has date patterns for every locale")
        };
        Self {
            decimal,
            date: date(YMD::medium()),
            day_month: FixedCalendarDateTimeFormatter::try_new(prefs, MD::medium())
                .expect("compiled data has date patterns for every locale"),
            numeric_day_month: FixedCalendarDateTimeFormatter::try_new(prefs, MD::short())
                .expect("compiled data has date patterns for every locale"),
            month: FixedCalendarDateTimeFormatter::try_new(prefs, M::medium())
                .expect("compiled data has month names for every locale"),
            long_month: FixedCalendarDateTimeFormatter::try_new(prefs, M::long())
                .expect("compiled data has month names for every locale"),
            month_year: FixedCalendarDateTimeFormatter::try_new(prefs, YM::long())
                .expect("compiled data has month names for every locale"),
            time: FixedCalendarDateTimeFormatter::try_new(prefs, T::hm())
                .expect("compiled data has time patterns for every locale"),
            percent: PercentFormatter::try_new((&locale).into(), Default::default())
                .expect("compiled data has percent patterns for every locale"),
            money: Mutex::default(),
            locale,
        }
    }

    /// The locale it writes in.
    pub fn locale(&self) -> &Locale {
        &self.locale
    }

    /// How `currency` is written, found once: with its symbol (`$`, `€`), or, in a locale
    /// with none for it, its code (`AED 1,234.56`).
    fn currency(&self, currency: Currency) -> Option<Arc<CurrencyWriting>> {
        let mut made = self.money.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(writing) = made.get(&currency) {
            return writing.clone();
        }
        let writing = CurrencyWriting::of(&self.locale, &self.decimal, currency).map(Arc::new);
        made.insert(currency, writing.clone());
        writing
    }

    /// `$1,234.56`, `121,66 €`, `-$5.00`.
    pub fn money(&self, money: Money) -> String {
        let exponent = -(money.currency.exponent() as i16);
        let mut value = Decimal::from(money.minor);
        value.multiply_pow10(exponent);
        value.pad_end(exponent);
        match self.currency(money.currency) {
            Some(writing) => writing.write(&value, &self.decimal),
            None => money.with_code(),
        }
    }

    /// An amount given as a decimal (`0.1608`, `-5`) in `currency`, with every digit given
    /// kept: for rates finer than the currency's smallest unit.
    pub fn amount(&self, decimal: &str, currency: Currency) -> Option<String> {
        let mut value: Decimal = decimal.parse().ok()?;
        let exponent = -(currency.exponent() as i16);
        if value.absolute.magnitude_range().start() > &exponent {
            value.pad_end(exponent);
        }
        Some(self.currency(currency)?.write(&value, &self.decimal))
    }

    /// `612`, `1,234.5`, `7,3`: a number given as a decimal, every digit kept.
    pub fn number(&self, decimal: &str) -> String {
        match decimal.parse::<Decimal>() {
            Ok(value) => written(self.decimal.format(&value)),
            Err(_) => decimal.to_owned(),
        }
    }

    /// `18.0%`, `18,0 %`: a percentage to one decimal.
    pub fn percent(&self, percent: f64) -> String {
        let value = format!("{percent:.1}");
        match value.parse::<Decimal>() {
            Ok(value) => written(self.percent.format(&value)),
            Err(_) => format!("{value}%"),
        }
    }

    /// `23 Nov 2026`, `Nov 23, 2026`, `23.11.2026`, `2026/11/23`.
    pub fn date(&self, date: NaiveDate) -> String {
        match gregorian(date) {
            Some(day) => self.date.format(&day).to_string(),
            None => date.to_string(),
        }
    }

    /// `23 Nov`, `Nov 23`, `23.11.`: a day without its year.
    pub fn day_month(&self, date: NaiveDate) -> String {
        match gregorian(date) {
            Some(day) => self.day_month.format(&day).to_string(),
            None => date.format("%m-%d").to_string(),
        }
    }

    /// `11/23`, `23/11`, `23.11.`: a day without its year, in digits (text messages: no
    /// month name outside their alphabet, such as `août`).
    pub fn numeric_day_month(&self, date: NaiveDate) -> String {
        match gregorian(date) {
            Some(day) => self.numeric_day_month.format(&day).to_string(),
            None => date.format("%m-%d").to_string(),
        }
    }

    /// `Nov`, `nov.`: a month's short name (`month` 1 to 12).
    pub fn month(&self, year: i32, month: u32) -> String {
        first_of(year, month).map_or_else(
            || format!("{year}-{month:02}"),
            |day| self.month.format(&day).to_string(),
        )
    }

    /// `November 2026`, `noviembre de 2026`.
    pub fn month_year(&self, year: i32, month: u32) -> String {
        first_of(year, month).map_or_else(
            || format!("{year}-{month:02}"),
            |day| self.month_year.format(&day).to_string(),
        )
    }

    /// `November`, `novembre`.
    pub fn long_month(&self, year: i32, month: u32) -> String {
        first_of(year, month).map_or_else(
            || format!("{year}-{month:02}"),
            |day| self.long_month.format(&day).to_string(),
        )
    }

    /// `24 Nov 2026`, `14:26`, and the zone: the parts of `date-time-zone`.
    pub fn date_time(&self, at: DateTime<Utc>, zone: TimeZone) -> (String, String, String) {
        let local = zone.local(at);
        let time = Time::try_new(local.hour() as u8, local.minute() as u8, 0, 0)
            .map(|time| self.time.format(&time).to_string())
            .unwrap_or_else(|_| local.format("%H:%M").to_string());
        (self.date(local.date()), time, zone.label(at))
    }
}

/// What ICU4X wrote, in a string made its size at once.
fn written(formatted: impl Writeable) -> String {
    formatted.write_to_string().into_owned()
}

/// `1` with `exponent` zeros after the point (`1.00`), as the currency writes one unit.
fn padded(n: i64, exponent: u32) -> Decimal {
    let mut value = Decimal::from(n);
    value.pad_end(-(exponent as i16));
    value
}

/// The first day of `month` of `year`.
fn first_of(year: i32, month: u32) -> Option<Date<Gregorian>> {
    Date::try_new_gregorian(year, u8::try_from(month).ok()?, 1).ok()
}

/// `date` in ICU4X's Gregorian calendar.
fn gregorian(date: NaiveDate) -> Option<Date<Gregorian>> {
    Date::try_new_gregorian(date.year(), date.month() as u8, date.day() as u8).ok()
}
