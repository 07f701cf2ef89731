//! Fixture files as examples: a manifest maps each JSON file to the place in a spec it is a
//! body of, and the check treats it like one of the spec's own examples.
//!
//! The manifest (`tests/data/examples.tsv` for the vendor specs) has one line per fixture,
//! tab-separated, `#` starting a comment:
//!
//! ```text
//! <file, relative to the manifest>  <spec file stem>  <method> <path template> <status>   response body
//! <file>                            <spec>            <method> <path template> request    request body
//! <file>                            <spec>            schema <component name>            a component schema
//! <file>                            -                 <why it is no body of a spec>
//! ```
//!
//! A place is written the way the vendor's documentation names the call (method, path
//! template, status), and resolved here to the JSON pointer of its schema (through `$ref`'d
//! responses and bodies; the JSON media type of the response). A line whose place the spec
//! lacks is an error, so the manifest cannot go stale silently.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde_json::Value;

use codegen::diagnostic::escape_pointer_token;

use super::examples::{Example, Origin};

/// One line of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The fixture file (absolute, or relative to the working directory).
    pub file: PathBuf,
    /// The spec's file stem; `None` for a file that is no body of any spec.
    pub spec: Option<String>,
    /// Where in the spec (the manifest's words), or why it is in none.
    pub place: Vec<String>,
}

/// Reads the manifest at `path`.
pub fn read(path: &Path) -> anyhow::Result<Vec<Entry>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut entries = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let columns: Vec<&str> = line.split('\t').collect();
        let [file, spec, rest @ ..] = columns.as_slice() else {
            bail!(
                "{}:{}: expected at least two tab-separated columns",
                path.display(),
                number + 1
            );
        };
        if rest.is_empty() {
            bail!("{}:{}: no place (or reason) given", path.display(), number + 1);
        }
        entries.push(Entry {
            file: base.join(file),
            spec: (*spec != "-").then(|| (*spec).to_owned()),
            place: rest
                .iter()
                .flat_map(|c| c.split(' '))
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect(),
        });
    }
    Ok(entries)
}

/// The examples the manifest gives the spec with file stem `spec` (the normalised `document`).
pub fn examples(entries: &[Entry], spec: &str, document: &Value) -> anyhow::Result<Vec<Example>> {
    let mut out = Vec::new();
    for entry in entries.iter().filter(|e| e.spec.as_deref() == Some(spec)) {
        let text = std::fs::read_to_string(&entry.file).with_context(|| format!("reading {}", entry.file.display()))?;
        let value: Value =
            serde_json::from_str(&text).with_context(|| format!("{} is not JSON", entry.file.display()))?;
        let (schema_at, place) = resolve(document, &entry.place)
            .with_context(|| format!("{}: {} has no {}", entry.file.display(), spec, entry.place.join(" ")))?;
        out.push(Example {
            location: format!("fixture {}", entry.file.display()),
            schema_at,
            place,
            value,
            origin: Origin::Fixture,
            validate_instead: None,
        });
    }
    Ok(out)
}

/// The schema pointer of a place: (where it really is, the generator's key for it).
fn resolve(document: &Value, place: &[String]) -> anyhow::Result<(String, String)> {
    match place {
        [keyword, name] if keyword == "schema" => {
            let pointer = format!("/components/schemas/{}", escape_pointer_token(name));
            if document.pointer(&pointer).is_none() {
                bail!("no such component schema");
            }
            Ok((pointer.clone(), pointer))
        }
        [method, path, what] => {
            let operation = format!(
                "/paths/{}/{}",
                escape_pointer_token(path),
                escape_pointer_token(&method.to_ascii_lowercase())
            );
            let (logical, object) = if what == "request" {
                (format!("{operation}/requestBody"), "requestBody".to_owned())
            } else {
                (
                    format!("{operation}/responses/{what}"),
                    format!("responses/{}", escape_pointer_token(what)),
                )
            };
            let mut real = format!("{operation}/{object}");
            let mut target = document.pointer(&real).context("no such operation, status or body")?;
            // A `$ref`'d response or body: the schema is where the reference points.
            for _ in 0..8 {
                let Some(reference) = target.get("$ref").and_then(Value::as_str) else {
                    break;
                };
                let pointer = reference.strip_prefix('#').context("a remote $ref")?;
                real = pointer.to_owned();
                target = document.pointer(pointer).context("a dangling $ref")?;
            }
            let media = target
                .get("content")
                .and_then(Value::as_object)
                .and_then(|content| content.keys().find(|media| media.contains("json")))
                .context("no JSON body")?;
            let media = escape_pointer_token(media);
            Ok((
                format!("{real}/content/{media}/schema"),
                format!("{logical}/content/{media}/schema"),
            ))
        }
        _ => bail!("a place is `METHOD PATH STATUS`, `METHOD PATH request` or `schema NAME`"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn places_resolve_through_refs_to_the_json_body() {
        let document = json!({
            "paths": {"/pets/{id}": {
                "get": {"responses": {"200": {"$ref": "#/components/responses/Pet"}}},
                "post": {"requestBody": {"content": {"application/json; charset=utf-8": {"schema": {}}}}}
            }},
            "components": {
                "responses": {"Pet": {"content": {"application/json": {"schema": {}}}}},
                "schemas": {"Pet": {}}
            }
        });
        let words = |text: &str| text.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            resolve(&document, &words("GET /pets/{id} 200")).expect("a response"),
            (
                "/components/responses/Pet/content/application~1json/schema".to_owned(),
                "/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema".to_owned()
            )
        );
        assert_eq!(
            resolve(&document, &words("POST /pets/{id} request"))
                .expect("a request body")
                .1,
            "/paths/~1pets~1{id}/post/requestBody/content/application~1json; charset=utf-8/schema"
        );
        assert_eq!(
            resolve(&document, &words("schema Pet")).expect("a schema").0,
            "/components/schemas/Pet"
        );
        assert!(resolve(&document, &words("GET /pets/{id} 404")).is_err());
        assert!(resolve(&document, &words("schema Cat")).is_err());
    }

    /// The vendor fixtures' manifest lists every JSON file in tests/data, and every place it
    /// names exists in its spec (read as the generator reads it).
    #[test]
    fn every_fixture_file_is_mapped() {
        let root = crate::workspace_root();
        let data = root.join("tests/data");
        let entries = read(&data.join("examples.tsv")).expect("the manifest");
        let mut unmapped = Vec::new();
        for vendor in std::fs::read_dir(&data).expect("tests/data") {
            let vendor = vendor.expect("an entry").path();
            if !vendor.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(&vendor).expect("a vendor folder") {
                let file = file.expect("an entry").path();
                if file.extension().is_some_and(|e| e == "json") && !entries.iter().any(|e| e.file == file) {
                    unmapped.push(file.display().to_string());
                }
            }
        }
        assert!(
            unmapped.is_empty(),
            "fixtures missing from tests/data/examples.tsv: {unmapped:?}"
        );
        let mut specs: Vec<&str> = entries.iter().filter_map(|e| e.spec.as_deref()).collect();
        specs.dedup();
        assert_eq!(specs, ["bookingtime", "timekit", "timeneye", "timify"]);
        for spec in specs {
            let parsed = codegen::parse::parse_file(&root.join(format!("specs/{spec}.yaml"))).expect("the spec parses");
            let found = examples(&entries, spec, &parsed.document).expect("every place exists");
            assert_eq!(
                found.len(),
                entries.iter().filter(|e| e.spec.as_deref() == Some(spec)).count()
            );
        }
    }
}
