//! Errors and warnings about a spec, each naming the file and the place in it.

use std::fmt;
use std::path::PathBuf;

/// Where in a spec a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// A line and column (1-based), for syntax errors.
    Line {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A JSON pointer (RFC 6901) into the document, e.g. `/paths/~1pets/get/responses/200`.
    Pointer(String),
    /// The document as a whole.
    Document,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line { line, column } => write!(f, "{line}:{column}"),
            Location::Pointer(pointer) if pointer.is_empty() => f.write_str("#"),
            Location::Pointer(pointer) => write!(f, "#{pointer}"),
            Location::Document => f.write_str("(document)"),
        }
    }
}

/// One problem found in a spec.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The spec file.
    pub file: PathBuf,
    /// The place in it.
    pub location: Location,
    /// What is wrong, as a sentence.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic at a JSON pointer.
    pub fn at_pointer(file: impl Into<PathBuf>, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            location: Location::Pointer(pointer.into()),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Location::Line { .. } => write!(f, "{}:{}: {}", self.file.display(), self.location, self.message),
            _ => write!(f, "{} {}: {}", self.file.display(), self.location, self.message),
        }
    }
}

impl std::error::Error for Diagnostic {}

/// Escapes one reference token for a JSON pointer (`~` → `~0`, `/` → `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Builds a JSON pointer from tokens.
pub fn pointer<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for token in tokens {
        out.push('/');
        out.push_str(&escape_pointer_token(token));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        assert_eq!(pointer(["paths", "/pets/{id}", "get"]), "/paths/~1pets~1{id}/get");
        assert_eq!(pointer(["a~b"]), "/a~0b");
    }

    #[test]
    fn display_names_file_and_place() {
        let d = Diagnostic::at_pointer(
            "specs/x.yaml",
            "/components/schemas/Pet",
            "dangling $ref `#/components/schemas/Cat`",
        );
        assert_eq!(
            d.to_string(),
            "specs/x.yaml #/components/schemas/Pet: dangling $ref `#/components/schemas/Cat`"
        );
    }
}
