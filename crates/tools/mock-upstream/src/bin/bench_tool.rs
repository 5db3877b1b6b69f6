//! `bench-tool`: the store-side helpers of `make bench`.
//!
//! - `seed-chat --mongodb-url U --database D --owner USER --chat CHAT --messages 2000
//!   --ids-out FILE` appends messages to a chat and writes their ids, one a line;
//! - `drop-mongo --mongodb-url U --database D` drops the bench's database;
//! - `memory --database-url U --embeddings-url U --users FILE [--iterations N]
//!   [--embed-iterations M]` prints scenario 5's figures as JSON.

use std::process::ExitCode;

use anyhow::Context as _;
use polychat_domain::{ChatId, UserId};
use polychat_mock_upstream::cli::Args;
use polychat_mock_upstream::{memory_bench, seed};

async fn seed_chat(args: &Args) -> anyhow::Result<()> {
    let owner = UserId::parse(&args.required::<String>("owner")?).context("--owner")?;
    let chat = ChatId::parse(&args.required::<String>("chat")?).context("--chat")?;
    let ids = seed::seed_chat(
        &args.required::<String>("mongodb-url")?,
        &args.required::<String>("database")?,
        owner,
        chat,
        args.get("messages", None, 2000)?,
    )
    .await?;
    let lines: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let out: String = args.required("ids-out")?;
    std::fs::write(&out, lines.join("\n")).with_context(|| format!("writing {out}"))?;
    Ok(())
}

async fn memory(args: &Args) -> anyhow::Result<()> {
    let file: String = args.required("users")?;
    let users = std::fs::read_to_string(&file)
        .with_context(|| format!("reading {file}"))?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| UserId::parse(l.trim()).context("a user id"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let report = memory_bench::run(memory_bench::MemoryBench {
        database_url: args.required("database-url")?,
        embeddings_url: args.required("embeddings-url")?,
        users,
        iterations: args.get("iterations", None, 2000)?,
        embed_iterations: args.get("embed-iterations", None, 200)?,
    })
    .await?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

async fn dispatch() -> anyhow::Result<()> {
    let mut raw = std::env::args().skip(1);
    let command = raw.next().unwrap_or_default();
    let args = Args::parse(raw)?;
    match command.as_str() {
        "seed-chat" => seed_chat(&args).await,
        "drop-mongo" => {
            seed::drop_database(
                &args.required::<String>("mongodb-url")?,
                &args.required::<String>("database")?,
            )
            .await
        }
        "memory" => memory(&args).await,
        other => anyhow::bail!("unknown command {other:?}: seed-chat, drop-mongo or memory"),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match dispatch().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-tool: {error:#}");
            ExitCode::FAILURE
        }
    }
}
