//! The layers of `src/` and the imports between them: each top-level module uses only the
//! modules of the layers below its own (never one beside it, never one above), and the files
//! of a folder use each other without a cycle. A new import that breaks either fails here,
//! naming the file and the line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// From the bottom up; a module may use the modules of lower layers only.
const LAYERS: &[&[&str]] = &[
    &["domain"],
    &["i18n"],
    &["infra"],
    &["observe"],
    &["staff", "tokens"],
    &["billing"],
    &["links"],
    &["cycle", "delivery"],
    &["config"],
    &["web"],
    &["app"],
    &["cli"],
];

/// A `.rs` file and the module path it holds (`links::renew`; `links` for `links/mod.rs`).
struct SourceFile {
    path: PathBuf,
    module: Vec<String>,
    text: String,
}

fn source_files(dir: &Path, module: &[String], into: &mut Vec<SourceFile>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        if path.is_dir() {
            let mut inner = module.to_vec();
            inner.push(name);
            source_files(&path, &inner, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let mut own = module.to_vec();
            if !matches!(name.as_str(), "mod" | "lib" | "main") {
                own.push(name);
            }
            let text = std::fs::read_to_string(&path).unwrap();
            into.push(SourceFile {
                path,
                module: own,
                text,
            });
        }
    }
}

/// The module paths a line names: `crate::a::b` and `super::c` (relative to `module`),
/// including those in braces (`crate::{a::X, b}`). Comments are skipped.
fn named_modules(line: &str, module: &[String], is_mod_rs: bool) -> Vec<Vec<String>> {
    let code = line.split("//").next().unwrap_or_default();
    let mut found = Vec::new();
    for (prefix, base) in [
        ("crate::", Vec::new()),
        ("super::", parent(module, is_mod_rs)),
    ] {
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            for path in paths_at(rest) {
                let mut full = base.clone();
                full.extend(path);
                found.push(full);
            }
        }
    }
    found
}

/// The module a `super::` in this file refers to.
fn parent(module: &[String], is_mod_rs: bool) -> Vec<String> {
    let mut parent = module.to_vec();
    // In `a/b.rs` (module `a::b`) `super` is `a`; in `a/b/mod.rs` (module `a::b`) too.
    let _ = is_mod_rs;
    parent.pop();
    parent
}

/// The paths at the start of `text`: `a::b::C` gives `[a, b, C]`; `{a::X, b}` gives both.
fn paths_at(text: &str) -> Vec<Vec<String>> {
    if let Some(inner) = text.strip_prefix('{') {
        let end = inner.find('}').unwrap_or(inner.len());
        return inner[..end]
            .split(',')
            .filter_map(|part| {
                let path = path_of(part.trim());
                (!path.is_empty()).then_some(path)
            })
            .collect();
    }
    vec![path_of(text)]
}

fn path_of(text: &str) -> Vec<String> {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(text.len());
    text[..end]
        .split("::")
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn files() -> Vec<SourceFile> {
    let mut files = Vec::new();
    source_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &[],
        &mut files,
    );
    files
}

#[test]
fn every_top_level_module_has_a_layer() {
    let top: BTreeSet<String> = files()
        .iter()
        .filter_map(|f| f.module.first().cloned())
        .collect();
    let unplaced: Vec<&String> = top.iter().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        unplaced.is_empty(),
        "give these a layer in LAYERS: {unplaced:?}"
    );
}

#[test]
fn modules_use_only_the_layers_below_their_own() {
    let mut wrong = Vec::new();
    for file in files() {
        let Some(own) = file.module.first() else {
            continue;
        };
        let own_layer = layer_of(own).unwrap();
        let is_mod_rs = file.path.file_name().is_some_and(|n| n == "mod.rs");
        for (number, line) in file.text.lines().enumerate() {
            for used in named_modules(line, &file.module, is_mod_rs) {
                let Some(top) = used.first() else { continue };
                let Some(layer) = layer_of(top) else { continue };
                if top != own && layer >= own_layer {
                    wrong.push(format!(
                        "{}:{}: {own} uses {top}: {}",
                        file.path.display(),
                        number + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_files_of_a_folder_use_each_other_without_a_cycle() {
    let files = files();
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| f.module.clone()).collect();
    // Edges between files of the same folder (a parent's mod.rs is not one of them: a
    // child may use what its parent declares, and the parent re-export its children).
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for file in &files {
        let is_mod_rs = file.path.file_name().is_some_and(|n| n == "mod.rs");
        for line in file.text.lines() {
            for used in named_modules(line, &file.module, is_mod_rs) {
                // The longest module path that the named path starts with.
                let target = (1..=used.len())
                    .rev()
                    .map(|n| used[..n].to_vec())
                    .find(|prefix| modules.contains(prefix));
                let Some(target) = target else { continue };
                let siblings = target.len() == file.module.len()
                    && target[..target.len() - 1] == file.module[..file.module.len() - 1]
                    && target != file.module;
                if siblings {
                    edges.entry(file.module.clone()).or_default().insert(target);
                }
            }
        }
    }
    for start in edges.keys() {
        let mut stack = vec![(start.clone(), vec![start.join("::")])];
        let mut seen = BTreeSet::new();
        while let Some((at, trail)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                let mut trail = trail.clone();
                trail.push(next.join("::"));
                assert!(next != start, "an import cycle: {}", trail.join(" → "));
                if seen.insert(next.clone()) {
                    stack.push((next.clone(), trail));
                }
            }
        }
    }
}

#[test]
fn the_checks_see_imports_in_every_form_they_are_written() {
    let module = vec!["links".to_owned(), "renew".to_owned()];
    let named = |line| named_modules(line, &module, false);
    assert_eq!(named("use crate::infra::db;"), vec![vec!["infra", "db"]]);
    assert_eq!(
        named("use crate::{cycle, infra::db};"),
        vec![vec!["cycle"], vec!["infra", "db"]]
    );
    assert_eq!(
        named("use super::check::TokenRecord;"),
        vec![vec!["links", "check", "TokenRecord"]]
    );
    assert_eq!(
        named("    crate::web::html(x); // crate::cli"),
        vec![vec!["web", "html"]]
    );
    assert!(named("let my_crate::x = 1;").is_empty());
}
