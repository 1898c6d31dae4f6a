//! The bill as a PDF (`GET /bill.pdf`): one A4 page for a bill of up to 12 lines, with the
//! same figures, comparison, chart and contact details as the page. Text is real text in DejaVu Sans, embedded and subsetted,
//! so it can be selected, searched and read aloud.

use std::sync::LazyLock;

use krilla::Document;
use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

use super::pages::BillPage;
use crate::i18n::Arg;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The two faces, read once.
static FONTS: LazyLock<Fonts> = LazyLock::new(|| Fonts {
    regular: Font::new(REGULAR.into(), 0).expect("the embedded regular font reads"),
    bold: Font::new(BOLD.into(), 0).expect("the embedded bold font reads"),
});

struct Fonts {
    regular: Font,
    bold: Font,
}

/// A4, in points.
const PAGE: (f32, f32) = (595.28, 841.89);
const MARGIN: f32 = 42.0;
const RIGHT: f32 = PAGE.0 - MARGIN;
const ROW: f32 = 12.5;

const TEXT: (u8, u8, u8) = (0x1a, 0x1a, 0x1a);
const MUTED: (u8, u8, u8) = (0x4d, 0x4d, 0x4d);
const ACCENT: (u8, u8, u8) = (0x0b, 0x4f, 0x8a);
const BAR: (u8, u8, u8) = (0x73, 0x93, 0xbb);
const RULE: (u8, u8, u8) = (0xb0, 0xb8, 0xc2);
const DEARER: (u8, u8, u8) = (0xa3, 0x30, 0x0b);
const CHEAPER: (u8, u8, u8) = (0x1a, 0x6b, 0x34);

#[derive(Clone, Copy)]
enum Face {
    Regular,
    Bold,
}

/// Draws text and shapes down the page, keeping track of where the next line goes.
struct Pen<'s, 'p> {
    surface: &'s mut Surface<'p>,
    y: f32,
    /// The brand's colour, or billpass's blue.
    accent: (u8, u8, u8),
    /// Links to lay over the page once drawn: where, and to what.
    links: Vec<(Rect, String)>,
}

impl Pen<'_, '_> {
    fn fill(&mut self, (r, g, b): (u8, u8, u8)) {
        self.surface.set_fill(Some(Fill {
            paint: rgb::Color::new(r, g, b).into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
    }

    /// Writes `text` with its left end at `x` on the baseline `y`.
    fn text(&mut self, x: f32, y: f32, size: f32, face: Face, colour: (u8, u8, u8), text: &str) {
        if text.is_empty() {
            return;
        }
        self.fill(colour);
        let font = match face {
            Face::Regular => FONTS.regular.clone(),
            Face::Bold => FONTS.bold.clone(),
        };
        self.surface.draw_text(
            Point::from_xy(x, y),
            font,
            size,
            &drawable(text),
            false,
            TextDirection::Auto,
        );
    }

    /// Writes `text` with its right end at `x`.
    fn text_right(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        face: Face,
        colour: (u8, u8, u8),
        text: &str,
    ) {
        let width = width(text, size, face);
        self.text(x - width, y, size, face, colour, text);
    }

    /// Writes a link's text and remembers where it is, to make it a link.
    fn link(&mut self, x: f32, y: f32, size: f32, text: &str, url: &str) {
        self.text(x, y, size, Face::Regular, self.accent, text);
        let width = width(text, size, Face::Regular);
        if let Some(rect) = Rect::from_xywh(x, y - size, width, size * 1.3) {
            self.links.push((rect, url.to_owned()));
        }
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, colour: (u8, u8, u8)) {
        let Some(rect) = Rect::from_xywh(x, y, w.max(0.1), h.max(0.1)) else {
            return;
        };
        let mut path = PathBuilder::new();
        path.push_rect(rect);
        if let Some(path) = path.finish() {
            self.fill(colour);
            self.surface.draw_path(&path);
        }
    }

    fn rule(&mut self, y: f32, colour: (u8, u8, u8), width: f32) {
        let mut path = PathBuilder::new();
        path.move_to(MARGIN, y);
        path.line_to(RIGHT, y);
        if let Some(path) = path.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                paint: rgb::Color::new(colour.0, colour.1, colour.2).into(),
                width,
                ..Default::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
        }
    }

    /// A section heading, then a thin rule under it.
    fn heading(&mut self, title: &str) {
        self.y += 16.0;
        let y = self.y;
        self.text(MARGIN, y, 11.0, Face::Bold, self.accent, title);
        self.rule(y + 3.5, RULE, 0.6);
        self.y += ROW + 1.0;
    }
}

/// The width of `text` set in `face` at `size` points.
fn width(text: &str, size: f32, face: Face) -> f32 {
    let data = match face {
        Face::Regular => REGULAR,
        Face::Bold => BOLD,
    };
    let Ok(font) = skrifa::FontRef::new(data) else {
        return 0.0;
    };
    let charmap = font.charmap();
    let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
    drawable(text)
        .chars()
        .filter_map(|c| {
            charmap
                .map(c)
                .and_then(|glyph| metrics.advance_width(glyph))
        })
        .sum()
}

/// `text` with each character the font has no glyph for written by its compatibility
/// equivalent (Unicode NFKC: the full-width `￥` of ja-JP amounts as `¥`).
fn drawable(text: &str) -> std::borrow::Cow<'_, str> {
    let Ok(font) = skrifa::FontRef::new(REGULAR) else {
        return text.into();
    };
    let charmap = font.charmap();
    if text.chars().all(|c| charmap.map(c).is_some()) {
        return text.into();
    }
    let nfkc = icu_normalizer::ComposingNormalizerBorrowed::new_nfkc();
    text.chars()
        .map(|c| match charmap.map(c) {
            Some(_) => c.to_string(),
            None => nfkc.normalize(c.encode_utf8(&mut [0; 4])).into_owned(),
        })
        .collect::<String>()
        .into()
}

/// `text`, cut with an ellipsis to fit `room` points.
fn fitted(text: &str, room: f32, size: f32, face: Face) -> String {
    if width(text, size, face) <= room {
        return text.to_owned();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut: String = chars.iter().collect::<String>().trim_end().to_owned() + "…";
        if width(&cut, size, face) <= room {
            return cut;
        }
    }
    String::new()
}

/// Lays the bill out on one page and returns the PDF's bytes.
pub fn render(page: &BillPage) -> anyhow::Result<Vec<u8>> {
    let (bill, brand, l) = (&page.bill, page.brand, page.l);
    let mut document = Document::new();
    let title = l.get(
        "pdf-title",
        &[
            ("brand", Arg::Text(&brand.name)),
            ("cycle", Arg::Text(&bill.cycle)),
            ("period", Arg::Text(&bill.period)),
        ],
    );
    document.set_metadata(
        Metadata::new()
            .title(title)
            .language(l.code().into())
            .creator("billpass".into()),
    );
    let settings = PageSettings::from_wh(PAGE.0, PAGE.1)
        .ok_or_else(|| anyhow::anyhow!("the page size is valid"))?;
    let mut pdf_page = document.start_page_with(settings);
    let mut surface = pdf_page.surface();
    let mut pen = Pen {
        surface: &mut surface,
        y: MARGIN,
        accent: page.brand.colour.map_or(ACCENT, |colour| colour.rgb()),
        links: Vec::new(),
    };
    draw(&mut pen, page);
    let links = std::mem::take(&mut pen.links);
    surface.finish();
    for (rect, url) in links {
        pdf_page.add_annotation(Annotation::new_link(
            LinkAnnotation::new(rect, Target::Action(LinkAction::new(url.clone()).into())),
            Some(url),
        ));
    }
    pdf_page.finish();
    document
        .finish()
        .map_err(|e| anyhow::anyhow!("writing the bill's PDF: {e:?}"))
}

fn draw(pen: &mut Pen, page: &BillPage) {
    let (bill, brand, l) = (&page.bill, page.brand, page.l);
    // The brand and the bill.
    pen.y += 14.0;
    let y = pen.y;
    pen.text(MARGIN, y, 16.0, Face::Bold, pen.accent, &brand.name);
    pen.text_right(
        RIGHT,
        y,
        9.0,
        Face::Regular,
        MUTED,
        &l.t1("pdf-bill-cycle", "cycle", &bill.cycle),
    );
    pen.rule(y + 7.0, pen.accent, 2.0);
    pen.y += 26.0;
    let y = pen.y;
    pen.text(
        MARGIN,
        y,
        12.0,
        Face::Bold,
        TEXT,
        &fitted(&bill.customer_name, 300.0, 12.0, Face::Bold),
    );
    pen.text_right(
        RIGHT,
        y,
        9.0,
        Face::Regular,
        MUTED,
        &l.t1("pdf-account", "account", &bill.masked_account),
    );

    // The facts.
    pen.y += 18.0;
    let mut facts = vec![
        (
            l.t("bill-billing-period"),
            format!("{} ({})", bill.period, bill.period_days),
        ),
        (l.t("bill-issued"), bill.issued_on.clone()),
    ];
    if bill.credit.is_none() {
        facts.push((l.t("bill-payment-due"), bill.due_on.clone()));
    }
    let mut x = MARGIN;
    for (label, value) in &facts {
        pen.text(x, pen.y, 8.0, Face::Regular, MUTED, label);
        pen.text(x, pen.y + 11.0, 9.5, Face::Bold, TEXT, value);
        x += width(value, 9.5, Face::Bold).max(width(label, 8.0, Face::Regular)) + 24.0;
    }
    pen.y += 16.0;

    // The amount.
    pen.y += 10.0;
    let top = pen.y;
    pen.rect(MARGIN, top, RIGHT - MARGIN, 46.0, (0xe8, 0xf0, 0xf8));
    pen.rect(MARGIN, top, 4.0, 46.0, pen.accent);
    match &bill.credit {
        Some(credit) => {
            pen.text(
                MARGIN + 14.0,
                top + 15.0,
                9.0,
                Face::Bold,
                TEXT,
                &l.t("bill-credit-label"),
            );
            pen.text(
                MARGIN + 14.0,
                top + 37.0,
                20.0,
                Face::Bold,
                CHEAPER,
                &credit.amount,
            );
            let note = l.t("bill-credit-note");
            pen.text_right(RIGHT - 10.0, top + 20.0, 8.5, Face::Regular, TEXT, &note);
            let why = fitted(&credit.explanation, 300.0, 7.5, Face::Regular);
            pen.text_right(RIGHT - 10.0, top + 33.0, 7.5, Face::Regular, MUTED, &why);
        }
        None => {
            pen.text(
                MARGIN + 14.0,
                top + 15.0,
                9.0,
                Face::Bold,
                TEXT,
                &l.t("bill-amount-due"),
            );
            pen.text(
                MARGIN + 14.0,
                top + 37.0,
                20.0,
                Face::Bold,
                TEXT,
                &bill.amount_due,
            );
            let by = l.t1("bill-pay-by", "due_on", &bill.due_on);
            pen.text_right(RIGHT - 10.0, top + 20.0, 9.5, Face::Bold, TEXT, &by);
        }
    }
    pen.y = top + 46.0;
    if let Some(pay_url) = &page.pay_url {
        pen.y += 14.0;
        let y = pen.y;
        pen.text(MARGIN, y, 9.0, Face::Bold, TEXT, &l.t("pdf-pay-online"));
        let shown = fitted(pay_url, RIGHT - MARGIN - 60.0, 9.0, Face::Regular);
        pen.link(MARGIN + 58.0, y, 9.0, &shown, pay_url);
    }

    // The account summary.
    pen.heading(&l.t("bill-summary-heading"));
    let mut summary = vec![
        (l.t("bill-previous-balance"), bill.previous_balance.as_str()),
        (l.t("bill-payments-received"), bill.payments.as_str()),
        (
            l.t("bill-charges-this-period"),
            bill.current_charges.as_str(),
        ),
    ];
    if let Some(adjustments) = &bill.adjustments {
        summary.push((l.t("bill-adjustments"), adjustments));
    }
    for (label, value) in summary {
        pen.text(MARGIN, pen.y, 9.0, Face::Regular, TEXT, &label);
        pen.text_right(RIGHT, pen.y, 9.0, Face::Regular, TEXT, value);
        pen.y += ROW;
    }
    let total = match bill.credit.is_some() {
        true => l.t("bill-credit-balance"),
        false => l.t("bill-amount-due"),
    };
    pen.rule(pen.y - 9.0, RULE, 0.5);
    pen.text(MARGIN, pen.y, 9.0, Face::Bold, TEXT, &total);
    pen.text_right(RIGHT, pen.y, 9.0, Face::Bold, TEXT, &bill.amount_due);

    // The charges.
    pen.heading(&l.t1("pdf-charges-heading", "currency", bill.currency));
    let (quantity_x, rate_x) = (MARGIN + 250.0, MARGIN + 340.0);
    if bill.lines.is_empty() {
        pen.text(
            MARGIN,
            pen.y,
            9.0,
            Face::Regular,
            MUTED,
            &l.t("bill-no-charges"),
        );
        pen.y += ROW;
    } else {
        pen.text(
            MARGIN,
            pen.y,
            8.0,
            Face::Bold,
            MUTED,
            &l.t("bill-col-description"),
        );
        pen.text(
            quantity_x,
            pen.y,
            8.0,
            Face::Bold,
            MUTED,
            &l.t("bill-col-quantity"),
        );
        pen.text(rate_x, pen.y, 8.0, Face::Bold, MUTED, &l.t("bill-col-rate"));
        pen.text_right(
            RIGHT,
            pen.y,
            8.0,
            Face::Bold,
            MUTED,
            &l.t("bill-col-amount"),
        );
        pen.y += ROW;
        for line in &bill.lines {
            let description = fitted(
                &line.description,
                quantity_x - MARGIN - 8.0,
                9.0,
                Face::Regular,
            );
            pen.text(MARGIN, pen.y, 9.0, Face::Regular, TEXT, &description);
            pen.text(
                quantity_x,
                pen.y,
                9.0,
                Face::Regular,
                TEXT,
                &fitted(
                    &line.quantity,
                    rate_x - quantity_x - 6.0,
                    9.0,
                    Face::Regular,
                ),
            );
            if let Some(rate) = &line.rate {
                pen.text(
                    rate_x,
                    pen.y,
                    8.5,
                    Face::Regular,
                    MUTED,
                    &fitted(rate, 110.0, 8.5, Face::Regular),
                );
            }
            pen.text_right(RIGHT, pen.y, 9.0, Face::Regular, TEXT, &line.amount);
            pen.y += ROW;
        }
        pen.rule(pen.y - 9.0, RULE, 0.5);
        pen.text(
            MARGIN,
            pen.y,
            9.0,
            Face::Bold,
            TEXT,
            &l.t("bill-total-charges"),
        );
        pen.text_right(RIGHT, pen.y, 9.0, Face::Bold, TEXT, &bill.current_charges);
    }

    // What changed.
    if let Some(cmp) = &bill.comparison {
        pen.heading(&l.t("bill-changes-heading"));
        let columns = [MARGIN, MARGIN + 130.0, MARGIN + 300.0, MARGIN + 380.0];
        pen.text(
            columns[1],
            pen.y,
            8.0,
            Face::Bold,
            MUTED,
            &l.t("bill-col-period"),
        );
        pen.text_right(
            columns[3] - 10.0,
            pen.y,
            8.0,
            Face::Bold,
            MUTED,
            &l.t("bill-col-days"),
        );
        pen.text_right(
            RIGHT - 80.0,
            pen.y,
            8.0,
            Face::Bold,
            MUTED,
            &l.t("bill-col-charges"),
        );
        pen.text_right(
            RIGHT,
            pen.y,
            8.0,
            Face::Bold,
            MUTED,
            &l.t("bill-col-per-day"),
        );
        pen.y += ROW;
        for (row, face) in std::iter::once((&cmp.this, Face::Bold))
            .chain(cmp.others.iter().map(|o| (&o.charges, Face::Regular)))
        {
            pen.text(columns[0], pen.y, 9.0, face, TEXT, &row.label);
            pen.text(columns[1], pen.y, 9.0, face, TEXT, &row.period);
            pen.text_right(
                columns[3] - 10.0,
                pen.y,
                9.0,
                face,
                TEXT,
                &row.days.to_string(),
            );
            pen.text_right(RIGHT - 80.0, pen.y, 9.0, face, TEXT, &row.charges);
            pen.text_right(RIGHT, pen.y, 9.0, face, TEXT, &row.per_day);
            pen.y += ROW;
        }
        for other in &cmp.others {
            let (arrow, colour) = match other.direction {
                "up" => ("▲ ", DEARER),
                "down" => ("▼ ", CHEAPER),
                _ => ("", MUTED),
            };
            let percent = other
                .percent
                .as_deref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default();
            pen.text(
                MARGIN,
                pen.y,
                9.0,
                Face::Bold,
                colour,
                &format!("{arrow}{}{percent}", other.sentence),
            );
            pen.y += ROW;
            if let Some(note) = &other.length_note {
                pen.text(MARGIN + 10.0, pen.y, 8.0, Face::Regular, MUTED, note);
                pen.y += ROW;
            }
        }
        if !cmp.movers.is_empty() {
            pen.text(MARGIN, pen.y, 8.0, Face::Bold, MUTED, &cmp.movers_heading);
            pen.y += ROW;
            for mover in &cmp.movers {
                let from_to = match (&mover.previous, &mover.current) {
                    (None, Some(current)) => l.t1("bill-mover-new", "current", current),
                    (Some(previous), None) => l.t1("bill-mover-gone", "previous", previous),
                    (Some(previous), Some(current)) => format!("{previous} → {current}"),
                    (None, None) => String::new(),
                };
                let colour = match mover.direction {
                    "up" => DEARER,
                    "down" => CHEAPER,
                    _ => MUTED,
                };
                pen.text(
                    MARGIN + 10.0,
                    pen.y,
                    8.5,
                    Face::Regular,
                    TEXT,
                    &fitted(&mover.description, 200.0, 8.5, Face::Regular),
                );
                pen.text(MARGIN + 220.0, pen.y, 8.5, Face::Regular, MUTED, &from_to);
                pen.text_right(RIGHT, pen.y, 8.5, Face::Bold, colour, &mover.difference);
                pen.y += ROW - 1.0;
            }
        }
    }

    // The usage chart.
    if let Some(chart) = &bill.chart {
        let heading = match chart.unit.is_empty() {
            true => l.t("pdf-usage-heading-no-unit").into_owned(),
            false => l.t1("pdf-usage-heading", "unit", &chart.unit),
        };
        pen.heading(&heading);
        let scale = (RIGHT - MARGIN) / chart.width as f32 * 0.8;
        let top = pen.y - 4.0;
        for bar in &chart.bars {
            let colour = if bar.is_current { pen.accent } else { BAR };
            let x = MARGIN + bar.x as f32 * scale;
            let y = top + bar.y as f32 * scale;
            pen.rect(
                x,
                y,
                bar.width as f32 * scale,
                bar.height as f32 * scale,
                colour,
            );
            let centre = MARGIN + bar.label_x as f32 * scale;
            let value_width = width(&bar.quantity, 7.0, Face::Regular);
            pen.text(
                centre - value_width / 2.0,
                y - 2.5,
                7.0,
                Face::Regular,
                TEXT,
                &bar.quantity,
            );
            let label_width = width(&bar.label, 7.5, Face::Regular);
            let baseline = top + chart.baseline as f32 * scale;
            pen.text(
                centre - label_width / 2.0,
                baseline + 10.0,
                7.5,
                Face::Regular,
                MUTED,
                &bar.label,
            );
        }
        let baseline = top + chart.baseline as f32 * scale;
        pen.rect(MARGIN, baseline, chart.width as f32 * scale, 0.6, MUTED);
        pen.y = top + chart.height as f32 * scale + 4.0;
    }

    // How to reach customer service, and where the bill is online.
    pen.y = pen.y.max(PAGE.1 - MARGIN - 62.0);
    pen.rule(pen.y, RULE, 0.6);
    pen.y += 13.0;
    if brand.has_support() || brand.support_hours.is_some() {
        let y = pen.y;
        pen.text(
            MARGIN,
            y,
            9.0,
            Face::Bold,
            TEXT,
            &l.t1("customer-service-title", "brand", &brand.name),
        );
        let lines: Vec<String> = brand
            .contacts()
            .into_iter()
            .map(|(kind, value)| format!("{} {value}", l.t(&format!("contact-{kind}"))))
            .collect();
        let lines = lines.join("   ·   ");
        pen.text(
            MARGIN,
            y + 12.0,
            8.5,
            Face::Regular,
            TEXT,
            &fitted(&lines, RIGHT - MARGIN, 8.5, Face::Regular),
        );
        pen.y += 24.0;
    }
    let y = pen.y;
    let see_online = l.t("bill-see-online");
    pen.text(MARGIN, y, 8.0, Face::Regular, MUTED, &see_online);
    let after = MARGIN + width(&see_online, 8.0, Face::Regular) + 4.0;
    pen.link(after, y, 8.0, &page.page_url, &page.page_url);
    let foot = page.foot();
    pen.text(MARGIN, y + 11.0, 7.5, Face::Regular, MUTED, &foot);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_to_fit() {
        let long = "Energy charge for the whole of the month, peak and off-peak, metered";
        let cut = fitted(long, 100.0, 9.0, Face::Regular);
        assert!(
            cut.ends_with('…') && width(&cut, 9.0, Face::Regular) <= 100.0,
            "{cut}"
        );
        assert_eq!(fitted("Tax", 100.0, 9.0, Face::Regular), "Tax");
        assert!(width("WWW", 10.0, Face::Bold) > width("iii", 10.0, Face::Bold));
    }

    #[test]
    fn the_fonts_are_embedded_and_read() {
        assert!(FONTS.regular.units_per_em() > 0.0 && FONTS.bold.units_per_em() > 0.0);
    }
}
