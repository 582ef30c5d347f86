//! `lifecycle reject`: sign a rejection of the next stage; the change stops until its request is edited.

use std::io::Write;

use anyhow::Result;

use super::Ctx;
use super::approve::{SignRequest, sign_off};
use crate::cli::Exit;
use crate::model::statement::Decision;

#[derive(clap::Args, Debug)]
#[command(after_help = "Example:\n  lifecycle reject CHG-2024-003 -m \"回退方案不完整\"")]
pub struct Args {
    /// The change to reject
    pub id: String,
    /// Why (required; recorded in the signed statement)
    #[arg(short, long, value_name = "TEXT", required = true)]
    pub message: String,
    /// The stage to sign, when you hold several roles
    #[arg(long, value_name = "ROLE")]
    pub stage: Option<String>,
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    if args.message.trim().is_empty() {
        anyhow::bail!("{}", ctx.lang.t("reject.needs_reason"));
    }
    let request = SignRequest {
        id: &args.id,
        decision: Decision::Rejected,
        comment: &args.message,
        stage: args.stage.as_deref(),
        accept_findings: false,
    };
    sign_off(ctx, &request, out)
}
