//! Human output: miette's graphical reports, one line of source at a time.
//!
//! miette gets a [`LineSource`] holding only the diagnostic's snippet (a window of the line,
//! never a multi-MB payload) that reports the real line and column, so the header reads
//! `train.jsonl:42:3028` over a short excerpt.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::render::emitter::Emitter;
use crate::render::escape::{escape_controls, escape_snippet};
use crate::summary::Summary;

/// Characters of a JSON pointer shown under a snippet at most (the JSON output has it whole).
const POINTER_LABEL_MAX_CHARS: usize = 120;

pub struct HumanEmitter<'w> {
    out: Box<dyn Write + 'w>,
    handler: GraphicalReportHandler,
    rendered: String,
}

impl<'w> HumanEmitter<'w> {
    pub fn new(out: Box<dyn Write + 'w>, color: bool) -> Self {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_links(false);
        Self {
            out,
            handler,
            rendered: String::new(),
        }
    }
}

impl Emitter for HumanEmitter<'_> {
    fn emit(&mut self, diagnostic: &Diagnostic) -> io::Result<()> {
        self.rendered.clear();
        let report = Report::new(diagnostic);
        self.handler
            .render_report(&mut self.rendered, &report)
            .map_err(|_| io::Error::other("rendering a diagnostic failed"))?;
        self.out.write_all(self.rendered.as_bytes())?;
        self.out.write_all(b"\n")
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        super::summary::write_summary(&mut self.out, summary)?;
        self.out.flush()
    }
}

/// Adapts a [`Diagnostic`] to miette's trait. Every text from the file (message, help,
/// snippet, file name) is held with its control characters escaped.
struct Report<'d> {
    diagnostic: &'d Diagnostic,
    source: Option<LineSource<'d>>,
    /// The message with the location prepended when there is no snippet to show it.
    headline: String,
    help: Option<Cow<'d, str>>,
    /// The snippet's span within the escaped snippet text.
    span: Option<SourceSpan>,
}

impl<'d> Report<'d> {
    fn new(diagnostic: &'d Diagnostic) -> Self {
        let location = &diagnostic.location;
        let file = escape_controls(&location.file);
        let message = escape_controls(&diagnostic.full_message()).into_owned();
        let mut span = None;
        let source = diagnostic.snippet.as_ref().map(|snippet| {
            let (text, escaped_span) = escape_snippet(&snippet.text, snippet.span.clone());
            span = Some(SourceSpan::new(
                escaped_span.start.into(),
                escaped_span.len(),
            ));
            LineSource {
                name: file.clone(),
                text,
                line: location.line.unwrap_or(1) - 1,
                column: location.column.unwrap_or(1) - 1,
            }
        });
        let headline = match (&source, location.line) {
            (Some(_), _) => message,
            (None, Some(line)) => format!("{file}:{line}: {message}"),
            (None, None) => format!("{file}: {message}"),
        };
        Self {
            diagnostic,
            source,
            headline,
            help: diagnostic.help.as_deref().map(escape_controls),
            span,
        }
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let rule = self.diagnostic.rule;
        Some(Box::new(format!("{}({})", rule.code, rule.name)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span?;
        let label = self.diagnostic.location.pointer.as_ref().map(|p| {
            if p.as_str().is_empty() {
                "/".to_owned()
            } else {
                // A pointer holds the file's keys: a 10 MB key must not be a 10 MB label.
                let pointer = p.as_str();
                match pointer.char_indices().nth(POINTER_LABEL_MAX_CHARS) {
                    None => escape_controls(pointer).into_owned(),
                    Some((cut, _)) => format!("{}…", escape_controls(&pointer[..cut])),
                }
            }
        });
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(label, span),
        )))
    }
}

/// The snippet as miette's source: one line, at its real line number and column.
struct LineSource<'d> {
    name: Cow<'d, str>,
    text: Cow<'d, str>,
    /// 0-based line and column of the primary span's start.
    line: u64,
    column: u64,
}

impl SourceCode for LineSource<'_> {
    fn read_span<'a>(
        &'a self,
        _span: &SourceSpan,
        _context_lines_before: usize,
        _context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // The snippet is one line and always shown whole, whatever span is asked for.
        let line = usize::try_from(self.line).unwrap_or(usize::MAX);
        let column = usize::try_from(self.column).unwrap_or(usize::MAX);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone().into_owned(),
            self.text.as_bytes(),
            SourceSpan::new(0.into(), self.text.len()),
            line,
            column,
            1,
        )))
    }
}
