//! A brand's logo: an SVG that is a plain drawing. Elements and attributes come from a list
//! of drawing ones; no script, no event handler, no style sheet, no link, no reference to
//! anything outside the drawing itself, no entity or processing instruction.

use std::fmt;

/// Logos larger than this are refused.
pub const MAX_LOGO_BYTES: usize = 65_536;

/// What a drawing is made of.
const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "title",
    "desc",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "linearGradient",
    "radialGradient",
    "stop",
    "clipPath",
    "mask",
    "use",
    "symbol",
];

/// How it is drawn; `href` only to an element of the drawing (`#id`).
const ATTRIBUTES: &[&str] = &[
    "id",
    "class",
    "viewBox",
    "width",
    "height",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "fx",
    "fy",
    "d",
    "points",
    "transform",
    "fill",
    "fill-opacity",
    "fill-rule",
    "clip-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-dasharray",
    "stroke-dashoffset",
    "opacity",
    "clip-path",
    "mask",
    "offset",
    "stop-color",
    "stop-opacity",
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "clipPathUnits",
    "maskUnits",
    "maskContentUnits",
    "preserveAspectRatio",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "letter-spacing",
    "dx",
    "dy",
    "role",
    "aria-label",
    "aria-hidden",
    "focusable",
    "version",
    "href",
];

/// A checked logo, kept as given.
#[derive(Clone, PartialEq, Eq)]
pub struct Logo(String);

impl Logo {
    /// Checks an SVG document; the error says what was found and where.
    pub fn parse(svg: &str) -> Result<Self, String> {
        if svg.len() > MAX_LOGO_BYTES {
            return Err(format!(
                "the logo is {} bytes; at most {MAX_LOGO_BYTES} are kept",
                svg.len()
            ));
        }
        if svg.contains("<!DOCTYPE") || svg.contains("<!ENTITY") {
            return Err("the logo has a DOCTYPE or an entity: a plain drawing has neither".into());
        }
        let document = roxmltree::Document::parse(svg)
            .map_err(|e| format!("the logo is not well-formed SVG: {e}"))?;
        let root = document.root_element();
        if root.tag_name().name() != "svg" {
            return Err("the logo's root element must be <svg>".into());
        }
        for node in document.descendants() {
            if node.is_pi() {
                return Err("the logo has a processing instruction".into());
            }
            if !node.is_element() {
                continue;
            }
            let element = node.tag_name().name();
            let at = || {
                let position = document.text_pos_at(node.range().start);
                format!("line {}, column {}", position.row, position.col)
            };
            if !ELEMENTS.contains(&element) {
                return Err(format!(
                    "the logo has a <{element}> element ({}): only drawing elements are allowed (no script, style, image, link or foreign content)",
                    at()
                ));
            }
            for attribute in node.attributes() {
                let (name, value) = (attribute.name(), attribute.value());
                if !ATTRIBUTES.contains(&name) {
                    return Err(format!(
                        "the logo's <{element}> has a `{name}` attribute ({}): event handlers, styles and links are not allowed",
                        at()
                    ));
                }
                let local = |reference: &str| reference.starts_with('#');
                let outside = match name {
                    "href" => !local(value),
                    _ => value
                        .split("url(")
                        .skip(1)
                        .any(|inside| !local(inside.trim_start_matches(['\'', '"', ' ']))),
                };
                if outside {
                    return Err(format!(
                        "the logo's <{element}> refers outside the drawing with `{name}=\"{}\"` ({}): only references to its own elements (#id) are allowed",
                        value.chars().take(60).collect::<String>(),
                        at()
                    ));
                }
            }
        }
        Ok(Self(svg.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Logo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Logo({} bytes)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DRAWING: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" role="img" aria-label="Acme">
  <defs><linearGradient id="g"><stop offset="0" stop-color="#0b4f8a"/></linearGradient></defs>
  <circle cx="20" cy="20" r="18" fill="url(#g)"/><use href="#g"/>
  <text x="8" y="26" font-size="14">A</text>
</svg>"##;

    #[test]
    fn a_plain_drawing_is_kept_as_given() {
        assert_eq!(Logo::parse(DRAWING).unwrap().as_str(), DRAWING);
    }

    #[test]
    fn scripts_handlers_links_and_outside_references_are_refused_with_where() {
        let svg = |inside: &str| {
            format!(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4">{inside}</svg>"#)
        };
        for (bad, says) in [
            (svg("<script>alert(1)</script>"), "<script>"),
            (svg(r#"<rect onclick="alert(1)"/>"#), "`onclick`"),
            (
                svg(r#"<rect style="fill:url(https://x.example/a)"/>"#),
                "`style`",
            ),
            (
                svg(r#"<use href="https://x.example/a.svg#x"/>"#),
                "refers outside",
            ),
            (
                svg(
                    r#"<use xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="data:image/svg+xml,x"/>"#,
                ),
                "refers outside",
            ),
            (
                svg(r#"<rect fill="url(https://x.example/p)"/>"#),
                "refers outside",
            ),
            (svg(r#"<image href="https://x.example/a.png"/>"#), "<image>"),
            (
                svg("<foreignObject><p>hi</p></foreignObject>"),
                "<foreignObject>",
            ),
            (
                svg("<style>@import url(https://x.example/a.css)</style>"),
                "<style>",
            ),
            (svg(r#"<a href="https://x.example"><rect/></a>"#), "<a>"),
            (
                svg(r#"<set attributeName="href" to="javascript:alert(1)"/>"#),
                "<set>",
            ),
            (
                svg("<?xml-stylesheet href='https://x.example/a.css'?>"),
                "processing instruction",
            ),
            ("<html><script/></html>".to_owned(), "root element"),
            (
                r#"<!DOCTYPE svg [<!ENTITY x "y">]><svg/>"#.to_owned(),
                "DOCTYPE",
            ),
            ("<svg".to_owned(), "not well-formed"),
            (svg(&"<rect/>".repeat(10_000)), "bytes"),
        ] {
            let error = Logo::parse(&bad).unwrap_err();
            assert!(error.contains(says), "{bad:.80}: {error}");
        }
    }
}
