//! SBOMs → scans (§5.4): CycloneDX JSON 1.4–1.6 and SPDX 2.3 JSON, read with serde structs that keep
//! only what an observation needs (the `cyclonedx-bom` crate reads one spec version per model; see
//! docs/decisions.md). Pure: text in, scans or a located diagnostic out.

use serde::Deserialize;

use super::observe::{Scan, bad, component, locate, timestamp};
use crate::diag::{Diagnostic, Origin, Text};

/// CycloneDX spec versions read.
pub const CYCLONEDX_VERSIONS: [&str; 3] = ["1.4", "1.5", "1.6"];
/// SPDX versions read (2.2 documents have the same JSON shape for what is read here).
pub const SPDX_VERSIONS: [&str; 2] = ["SPDX-2.2", "SPDX-2.3"];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Bom {
    spec_version: String,
    metadata: Option<Metadata>,
    #[serde(default)]
    components: Vec<CdxComponent>,
}

#[derive(Deserialize)]
struct Metadata {
    timestamp: Option<String>,
    component: Option<CdxComponent>,
}

#[derive(Deserialize)]
struct CdxComponent {
    name: String,
    version: Option<String>,
    purl: Option<String>,
    cpe: Option<String>,
    #[serde(default)]
    components: Vec<CdxComponent>,
}

fn json_error(path: &str, e: &serde_json::Error) -> Box<Diagnostic> {
    super::eol::json_error(path, e)
}

/// A CycloneDX JSON document (the caller saw `"bomFormat": "CycloneDX"`).
pub fn cyclonedx(path: &str, text: &str) -> Result<Scan, Box<Diagnostic>> {
    let bom: Bom = serde_json::from_str(text).map_err(|e| json_error(path, &e))?;
    if !CYCLONEDX_VERSIONS.contains(&bom.spec_version.as_str()) {
        let (line, col) = locate(text, "\"specVersion\"");
        return Err(bad(
            Origin::new(path, line, col, 13),
            format!("CycloneDX spec version {} is not read; versions 1.4, 1.5 and 1.6 are", bom.spec_version),
            "export the SBOM as CycloneDX JSON 1.4–1.6 (e.g. `cyclonedx-py environment --sv 1.6`)",
            (
                Text::new("obs.cdx_version", &[("version", &bom.spec_version)]),
                Text::new("obs.cdx_version_hint", &[]),
            ),
        ));
    }
    let metadata = bom.metadata.unwrap_or(Metadata { timestamp: None, component: None });
    let collected_at = match &metadata.timestamp {
        Some(t) => Some(timestamp(path, text, "\"timestamp\"", t)?),
        None => None,
    };
    let mut components = Vec::new();
    let mut stack: Vec<&CdxComponent> = bom.components.iter().collect();
    while let Some(c) = stack.pop() {
        stack.extend(c.components.iter());
        if let Some(v) = c.version.as_deref().filter(|v| !v.trim().is_empty()) {
            components.push(component(&c.name, v, c.purl.clone(), c.cpe.clone()));
        }
    }
    Ok(Scan {
        system: None,
        host: None,
        subject: metadata.component.map(|c| c.name),
        collected_at,
        components,
        line: 1,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Spdx {
    spdx_version: String,
    creation_info: Option<CreationInfo>,
    #[serde(default)]
    document_describes: Vec<String>,
    #[serde(default)]
    packages: Vec<SpdxPackage>,
    #[serde(default)]
    relationships: Vec<Relationship>,
}

#[derive(Deserialize)]
struct CreationInfo {
    created: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage {
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    name: String,
    version_info: Option<String>,
    #[serde(default)]
    external_refs: Vec<ExternalRef>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_type: String,
    reference_locator: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: String,
    related_spdx_element: String,
}

/// An SPDX JSON document (the caller saw `"spdxVersion"`). The packages the document describes are its
/// subject; the others are the components.
pub fn spdx(path: &str, text: &str) -> Result<Scan, Box<Diagnostic>> {
    let doc: Spdx = serde_json::from_str(text).map_err(|e| json_error(path, &e))?;
    if !SPDX_VERSIONS.contains(&doc.spdx_version.as_str()) {
        let (line, col) = locate(text, "\"spdxVersion\"");
        return Err(bad(
            Origin::new(path, line, col, 13),
            format!("SPDX version {} is not read; SPDX 2.3 (and 2.2) JSON is", doc.spdx_version),
            "export the SBOM as SPDX 2.3 JSON (e.g. `npm sbom --sbom-format spdx`)",
            (
                Text::new("obs.spdx_version", &[("version", &doc.spdx_version)]),
                Text::new("obs.spdx_version_hint", &[]),
            ),
        ));
    }
    let collected_at = match doc.creation_info.as_ref().and_then(|c| c.created.as_ref()) {
        Some(t) => Some(timestamp(path, text, "\"created\"", t)?),
        None => None,
    };
    let mut described: Vec<&str> = doc.document_describes.iter().map(String::as_str).collect();
    described.extend(
        doc.relationships
            .iter()
            .filter(|r| r.relationship_type == "DESCRIBES" && r.spdx_element_id == "SPDXRef-DOCUMENT")
            .map(|r| r.related_spdx_element.as_str()),
    );
    let subject =
        doc.packages.iter().find(|p| described.contains(&p.spdx_id.as_str())).map(|p| p.name.clone());
    let only_subject = doc.packages.iter().all(|p| described.contains(&p.spdx_id.as_str()));
    let components = doc
        .packages
        .iter()
        .filter(|p| only_subject || !described.contains(&p.spdx_id.as_str()))
        .filter_map(|p| {
            let version =
                p.version_info.as_deref().filter(|v| !v.trim().is_empty() && *v != "NOASSERTION")?;
            let reference = |kind: &[&str]| {
                p.external_refs
                    .iter()
                    .find(|r| kind.contains(&r.reference_type.as_str()))
                    .map(|r| r.reference_locator.clone())
            };
            Some(component(&p.name, version, reference(&["purl"]), reference(&["cpe23Type", "cpe22Type"])))
        })
        .collect();
    Ok(Scan { system: None, host: None, subject, collected_at, components, line: 1 })
}
