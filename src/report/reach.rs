//! The report of `tokscan reach`: what an agent started in the workspace could reach, most
//! severe (then most exposed) first, each with its reach and a fix. Human text or one JSON
//! document; secrets appear only as previews unless the scan kept them.

use std::io::{self, Write};

use serde::Serialize;

use crate::finding::Finding;

/// One reachable credential and what to do about it.
#[derive(Debug, Clone, Serialize)]
pub struct ReachItem {
    #[serde(flatten)]
    pub finding: Finding,
    pub fixes: Vec<String>,
}

/// Which agents were modelled and why.
#[derive(Debug, Clone, Serialize)]
pub struct ReachContext {
    pub workspace: String,
    pub home: Option<String>,
    /// Agents whose markers were found.
    pub detected: Vec<String>,
    /// The agents `reachable_by` models.
    pub agents: Vec<String>,
}

#[derive(Serialize)]
struct Document<'a> {
    tool: &'static str,
    version: &'static str,
    command: &'static str,
    context: &'a ReachContext,
    findings: &'a [ReachItem],
}

pub fn write_json(context: &ReachContext, items: &[ReachItem], out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        tool: "tokscan",
        version: env!("CARGO_PKG_VERSION"),
        command: "reach",
        context,
        findings: items,
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
    writeln!(out)
}

pub fn write_human(context: &ReachContext, items: &[ReachItem], out: &mut dyn Write) -> io::Result<()> {
    let agents = if context.agents.is_empty() {
        "none".to_owned()
    } else {
        context.agents.join(", ")
    };
    let how = if context.detected.is_empty() {
        "no agent detected, so every agent is modelled"
    } else {
        "detected"
    };
    writeln!(out, "Agents: {agents} ({how})")?;
    writeln!(out)?;
    for item in items {
        let f = &item.finding;
        writeln!(
            out,
            "[{}] {} ({}/{}) at {}:{}  {}",
            f.severity, f.description, f.provider, f.kind, f.path, f.line, f.secret_preview
        )?;
        if !f.reachable_by.is_empty() {
            writeln!(out, "  reachable by: {}", crate::reach::summary(&f.reachable_by))?;
        }
        for fix in &item.fixes {
            writeln!(out, "  fix: {fix}")?;
        }
        writeln!(out)?;
    }
    let reachable = items
        .iter()
        .filter(|i| crate::reach::exposure(&i.finding.reachable_by) > crate::reach::Exposure::None)
        .count();
    writeln!(
        out,
        "{} credential{} found, {reachable} reachable by an agent",
        items.len(),
        if items.len() == 1 { "" } else { "s" }
    )
}
