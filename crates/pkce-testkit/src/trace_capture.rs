//! A `tracing` subscriber that keeps every span and event of the current thread, with each
//! field as text, so that a test can assert what the transports and sessions record (and
//! what they never record).

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// One span or event as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// `"span"` or `"event"`.
    pub what: &'static str,
    /// The span's name, or the event's `message` field.
    pub name: String,
    /// The level, as text (`DEBUG`, `WARN`, …).
    pub level: String,
    /// Every other field: name and value as text (`Display` or `Debug`, as recorded).
    pub fields: Vec<(String, String)>,
}

impl Recorded {
    /// The value of the field `name`, if recorded.
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every text of this record: the name and each field name and value.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str()).chain(
            self.fields
                .iter()
                .flat_map(|(n, v)| [n.as_str(), v.as_str()]),
        )
    }
}

/// Captures spans and events while a closure runs on this thread.
#[derive(Clone, Debug, Default)]
pub struct TraceCapture {
    records: Arc<Mutex<Vec<Recorded>>>,
    next_id: Arc<Mutex<u64>>,
}

impl TraceCapture {
    /// Runs `f` with this capture as the thread's subscriber (every level enabled) and
    /// returns its result.
    pub fn run<T>(&self, f: impl FnOnce() -> T) -> T {
        // While a single dispatcher is registered in the process, tracing-core decides a
        // callsite's interest, once, with the subscriber of whichever thread reaches it first
        // (`has_just_one` in tracing-core's callsite.rs): a callsite first reached by a test
        // running in parallel without a subscriber would stay disabled here too. A second
        // registered dispatcher, alive for the run, makes it ask every live dispatcher.
        let _second = tracing::Dispatch::new(self.clone());
        tracing::subscriber::with_default(self.clone(), f)
    }

    /// What was recorded so far.
    #[must_use]
    pub fn records(&self) -> Vec<Recorded> {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn push(&self, what: &'static str, metadata: &Metadata<'_>, visitor: FieldText) {
        let name = visitor
            .message
            .unwrap_or_else(|| metadata.name().to_owned());
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Recorded {
                what,
                name,
                level: metadata.level().to_string(),
                fields: visitor.fields,
            });
    }
}

#[derive(Default)]
struct FieldText {
    message: Option<String>,
    fields: Vec<(String, String)>,
}

impl Visit for FieldText {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.fields
            .push((field.name().to_owned(), value.to_owned()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = Some(text);
        } else {
            self.fields.push((field.name().to_owned(), text));
        }
    }
}

impl Subscriber for TraceCapture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut visitor = FieldText::default();
        span.record(&mut visitor);
        self.push("span", span.metadata(), visitor);
        let mut next = self.next_id.lock().unwrap_or_else(PoisonError::into_inner);
        *next += 1;
        Id::from_u64(*next)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut visitor = FieldText::default();
        values.record(&mut visitor);
        let mut records = self.records.lock().unwrap_or_else(PoisonError::into_inner);
        records.push(Recorded {
            what: "span",
            name: "(recorded later)".to_owned(),
            level: String::new(),
            fields: visitor.fields,
        });
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut visitor = FieldText::default();
        event.record(&mut visitor);
        self.push("event", event.metadata(), visitor);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
