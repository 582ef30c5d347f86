//! JSON Schemas for editors, generated from the same serde shapes the loader reads (`raw`), so a
//! schema cannot promise a key the loader refuses. Scalars the loader reads as spanned text are
//! described here by what they must hold (a date, a duration, text) instead of "a string".

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use super::raw;

/// A kind of file the tool reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// `inventory/systems/*.yaml`: one system, or `systems: [...]`
    System,
    /// `inventory/products/*.yaml`: a product's lifecycle cycles
    Product,
    /// `policies/*.yaml`: eol lead times, change classes, rules, KPIs
    Policy,
    /// `policies/people.yaml`: people, roles and public keys
    People,
    /// `changes/<ID>/request.yaml`
    Change,
    /// `changes/<ID>/report.yaml`
    Report,
    /// `advisories/*.yaml`
    Advisory,
    /// `lifecycle.yaml`
    Settings,
    /// `inventory/observed/<system>/<host>.yaml`: what a scanner saw (written by `observe import`)
    Observation,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::System,
        Kind::Product,
        Kind::Policy,
        Kind::People,
        Kind::Change,
        Kind::Report,
        Kind::Advisory,
        Kind::Settings,
        Kind::Observation,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::System => "system",
            Kind::Product => "product",
            Kind::Policy => "policy",
            Kind::People => "people",
            Kind::Change => "change",
            Kind::Report => "report",
            Kind::Advisory => "advisory",
            Kind::Settings => "settings",
            Kind::Observation => "observation",
        }
    }
}

/// The JSON Schema (draft 2020-12) of a kind of file.
pub fn schema(kind: Kind) -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut schema = match kind {
        Kind::System => generator.into_root_schema_for::<SystemDoc>(),
        Kind::Product => generator.into_root_schema_for::<raw::Product>(),
        Kind::Policy => generator.into_root_schema_for::<raw::Policy>(),
        Kind::People => generator.into_root_schema_for::<raw::PeopleFile>(),
        Kind::Change => generator.into_root_schema_for::<raw::ChangeRequest>(),
        Kind::Report => generator.into_root_schema_for::<raw::Report>(),
        Kind::Advisory => generator.into_root_schema_for::<raw::Advisory>(),
        Kind::Settings => generator.into_root_schema_for::<raw::Settings>(),
        Kind::Observation => generator.into_root_schema_for::<raw::Observation>(),
    };
    schema.insert("$id".into(), format!("lifecycle:{}", kind.name()).into());
    schema.insert("title".into(), format!("lifecycle {} file", kind.name()).into());
    schema.to_value()
}

/// A system file: one system, or a file holding `systems: [...]`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum SystemDoc {
    One(Box<raw::System>),
    Many(raw::SystemsFile),
}

macro_rules! scalar {
    ($name:ident, $doc:literal, $schema:tt) => {
        #[doc = $doc]
        pub struct $name;
        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn inline_schema() -> bool {
                true
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    };
}

// YAML reads `version: 3.10` and `cycle: 6.2` as numbers; the loader reads them as the text written.
scalar!(Text, "A scalar read as text (a number is read as written).", {
    "type": ["string", "number", "integer"]
});
scalar!(Date, "A date, YYYY-MM-DD.", {
    "type": "string",
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    "description": "a date, YYYY-MM-DD"
});
scalar!(Timestamp, "An RFC 3339 timestamp; without an offset it is read in the repository time zone.", {
    "type": "string",
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}",
    "description": "an RFC 3339 timestamp, e.g. 2024-09-05T10:00:00+08:00"
});
scalar!(Duration, "A duration: 30m, 2h, 15d, 1w, 6mo, 1y.", {
    "type": "string",
    "pattern": "^[0-9]+(m|min|h|d|w|mo|y)$",
    "description": "a duration: 30m, 2h, 24h, 15d, 1w, 1mo, 6mo, 1y"
});
scalar!(Milestone, "A date, or true (ended, date unknown) / false (not announced).", {
    "anyOf": [
        {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        {"type": "boolean"}
    ],
    "description": "a date (YYYY-MM-DD), true (ended, date not published) or false (not announced)"
});
scalar!(Support, "standard | extended", {"type": "string", "enum": ["standard", "extended"]});
scalar!(Basis, "eol | extended", {"type": "string", "enum": ["eol", "extended"]});
scalar!(Chain, "A list of roles, or a map from criticality to a list of roles.", {
    "anyOf": [
        {"type": "array", "items": {"type": "string"}},
        {
            "type": "object",
            "propertyNames": {"enum": ["low", "medium", "high", "critical", "default"]},
            "additionalProperties": {"type": "array", "items": {"type": "string"}}
        }
    ],
    "description": "roles in chain order, or {critical: [...], high: [...], default: [...]}"
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_generates_an_object_schema() {
        for kind in Kind::ALL {
            let s = schema(kind);
            assert!(s.get("$schema").is_some(), "{kind:?}");
            assert_eq!(s["$id"], format!("lifecycle:{}", kind.name()));
        }
    }
}
