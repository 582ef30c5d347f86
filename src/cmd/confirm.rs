//! `lifecycle confirm`: the confirming role signs completion on the committed execution report.

use std::io::Write;

use anyhow::Result;

use super::Ctx;
use super::approve::{SignRequest, sign_off};
use crate::cli::Exit;
use crate::model::statement::Decision;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle confirm CHG-2024-003 -m \"确认完成\"
  lifecycle confirm CHG-2024-003 --accept-findings -m \"通知时间不足：业务方书面同意\"

Refuses when the report breaks a rule of the policy (no backup, gray test not passed, late notice,
outside the window, executor is supervisor, executed before approval…) unless --accept-findings is
given with a comment explaining why.")]
pub struct Args {
    /// The change to confirm complete
    pub id: String,
    /// Comment recorded in the signed statement
    #[arg(short, long, value_name = "TEXT")]
    pub message: Option<String>,
    /// Confirm although the report breaks rules (the comment must explain why)
    #[arg(long)]
    pub accept_findings: bool,
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    let request = SignRequest {
        id: &args.id,
        decision: Decision::Confirmed,
        comment: args.message.as_deref().unwrap_or(""),
        stage: None,
        accept_findings: args.accept_findings,
    };
    sign_off(ctx, &request, out)
}
