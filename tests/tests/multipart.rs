//! Multipart bodies end to end: the generated uploads-client's typed request types sent to a
//! local server, which checks each part it receives (name, file name, content type, bytes) by
//! taking the raw body apart here, independently of reqwest's encoder.

use uploads_client::documents::{DocumentsAttachBody, DocumentsCreateBody};
use uploads_client::types::{DocumentUploadMetadata, DocumentUploadVisibility};
use uploads_client::{Client, FilePart};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// One part as received: its name, file name, content type and bytes.
#[derive(Debug, PartialEq)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    bytes: Vec<u8>,
}

impl Part {
    fn text(name: &str, text: &str) -> Self {
        Self::typed(name, None, text.as_bytes())
    }

    fn typed(name: &str, content_type: Option<&str>, bytes: &[u8]) -> Self {
        Self {
            name: name.to_owned(),
            file_name: None,
            content_type: content_type.map(str::to_owned),
            bytes: bytes.to_vec(),
        }
    }

    fn file(name: &str, file_name: &str, content_type: &str, bytes: &[u8]) -> Self {
        Self {
            file_name: Some(file_name.to_owned()),
            ..Self::typed(name, Some(content_type), bytes)
        }
    }
}

/// The parts of a `multipart/form-data` request, read from its raw body by the boundary its
/// `Content-Type` names.
fn parts(request: &wiremock::Request) -> Vec<Part> {
    let content_type = request
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .expect("a content type");
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart: {content_type}"));
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    for chunk in split(&request.body, delimiter.as_bytes()).into_iter().skip(1) {
        if chunk.starts_with(b"--") {
            break;
        }
        let chunk = chunk.strip_prefix(b"\r\n").expect("a line break after the boundary");
        let chunk = chunk.strip_suffix(b"\r\n").expect("a line break before the boundary");
        let end = find(chunk, b"\r\n\r\n").expect("a blank line after the part's headers");
        let head = std::str::from_utf8(&chunk[..end]).expect("text headers");
        let mut part = Part::typed("", None, &chunk[end + 4..]);
        for line in head.split("\r\n") {
            let (header, value) = line.split_once(": ").expect("a header line");
            match header.to_ascii_lowercase().as_str() {
                "content-disposition" => {
                    part.name = quoted(value, "name").expect("a part name");
                    part.file_name = quoted(value, "filename");
                }
                "content-type" => part.content_type = Some(value.to_owned()),
                other => panic!("unexpected part header {other}"),
            }
        }
        parts.push(part);
    }
    parts
}

fn split<'a>(haystack: &'a [u8], needle: &[u8]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut rest = haystack;
    while let Some(at) = find(rest, needle) {
        pieces.push(&rest[..at]);
        rest = &rest[at + needle.len()..];
    }
    pieces.push(rest);
    pieces
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The value of `key="..."` in a `Content-Disposition` header.
fn quoted(header: &str, key: &str) -> Option<String> {
    header.split("; ").find_map(|param| {
        let value = param.strip_prefix(key)?.strip_prefix("=\"")?;
        Some(value.strip_suffix('"')?.to_owned())
    })
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/documents"))
        .respond_with(ResponseTemplate::new(201).set_body_json(serde_json::json!({"id": "d1", "title": "Report"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/documents/d1/attachments"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Client {
    Client::builder().base_url(server.uri()).build().expect("a client")
}

/// Bytes that are not UTF-8, so a part's bytes must arrive exactly as given.
const PDF: &[u8] = b"%PDF-1.7\n\x00\x01\xfe\xff";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";

#[tokio::test]
async fn a_typed_body_sends_each_field_as_its_parts_and_leaves_absent_ones_out() {
    let server = server().await;
    let body = DocumentsCreateBody {
        file: FilePart::new("report.pdf", PDF).content_type("application/pdf"),
        title: "Quarterly report".into(),
        visibility: Some(DocumentUploadVisibility::Private),
        tags: Some(vec!["q4".into(), "finance".into()]),
        pages: Some(12),
        metadata: Some(DocumentUploadMetadata {
            author: Some("Ada".into()),
            year: Some(2026),
        }),
        preview: Some(FilePart::new("page-1.png", PNG)),
        notes: None,
    };

    let document = client(&server).documents().create(&body).await.expect("created");
    assert_eq!(document.into_inner().id, "d1");

    let received = server.received_requests().await.expect("recorded");
    assert_eq!(received.len(), 1);
    assert_eq!(
        parts(&received[0]),
        [
            Part::file("file", "report.pdf", "application/pdf", PDF),
            Part::text("title", "Quarterly report"),
            Part::text("visibility", "private"),
            Part::text("tags", "q4"),
            Part::text("tags", "finance"),
            Part::text("pages", "12"),
            Part::typed("metadata", Some("application/json"), br#"{"author":"Ada","year":2026}"#),
            // No type of its own: the spec's `encoding.preview.contentType`.
            Part::file("preview", "page-1.png", "image/png", PNG),
        ]
    );
}

#[tokio::test]
async fn a_list_of_files_is_one_part_per_file_and_an_untyped_file_is_octet_stream() {
    let server = server().await;
    let body = DocumentsAttachBody {
        files: vec![
            FilePart::new("a.pdf", PDF).content_type("application/pdf"),
            FilePart::new("b.bin", PNG),
        ],
        comment: Some("signed copies".into()),
    };

    client(&server).documents().attach("d1", &body).await.expect("attached");

    let received = server.received_requests().await.expect("recorded");
    assert_eq!(
        parts(&received[0]),
        [
            Part::file("files", "a.pdf", "application/pdf", PDF),
            Part::file("files", "b.bin", "application/octet-stream", PNG),
            Part::text("comment", "signed copies"),
        ]
    );
}

#[tokio::test]
async fn a_file_type_that_is_not_a_media_type_is_refused_before_sending() {
    let server = server().await;
    let body = DocumentsAttachBody {
        files: vec![FilePart::new("a.pdf", PDF).content_type("pdf please")],
        comment: None,
    };

    let error = client(&server).documents().attach("d1", &body).await.unwrap_err();

    let message = error.to_string();
    assert!(
        message.contains("multipart field `files`: `pdf please` is not a media type"),
        "{message}"
    );
    assert!(server.received_requests().await.expect("recorded").is_empty());
}
