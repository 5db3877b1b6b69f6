//! `bench-tool`: the store-side helpers of `make bench`. `bench-tool --help` lists the
//! commands:
//!
//! - `seed-chat` appends messages to a chat and writes their ids, one a line;
//! - `drop-mongo` drops the bench's database;
//! - `memory` prints scenario 5's figures as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use polychat_domain::{ChatId, UserId};
use polychat_mock_upstream::{memory_bench, seed};

#[derive(Debug, Parser)]
#[command(
    name = "bench-tool",
    version,
    about = "The store-side helpers of make bench"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// A MongoDB database.
#[derive(Debug, Args)]
struct Mongo {
    #[arg(long)]
    mongodb_url: String,
    #[arg(long)]
    database: String,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Append messages to a chat through the real MongoDB adapter.
    SeedChat {
        #[command(flatten)]
        mongo: Mongo,
        /// The chat's owner (a user id).
        #[arg(long)]
        owner: String,
        /// The chat id.
        #[arg(long)]
        chat: String,
        #[arg(long, default_value_t = 2000)]
        messages: usize,
        /// Where the ids of the messages are written, one a line.
        #[arg(long)]
        ids_out: PathBuf,
    },
    /// Drop the bench's MongoDB database.
    DropMongo {
        #[command(flatten)]
        mongo: Mongo,
    },
    /// Scenario 5 (memory) with the real detector, embeddings client and PostgreSQL
    /// adapter; prints JSON.
    Memory {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        embeddings_url: String,
        /// A file of user ids, one a line.
        #[arg(long)]
        users: PathBuf,
        #[arg(long, default_value_t = 2000)]
        iterations: usize,
        #[arg(long, default_value_t = 200)]
        embed_iterations: usize,
    },
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::SeedChat {
            mongo,
            owner,
            chat,
            messages,
            ids_out,
        } => {
            let owner = UserId::parse(&owner).context("--owner")?;
            let chat = ChatId::parse(&chat).context("--chat")?;
            let ids =
                seed::seed_chat(&mongo.mongodb_url, &mongo.database, owner, chat, messages).await?;
            let lines: Vec<String> = ids.iter().map(ToString::to_string).collect();
            std::fs::write(&ids_out, lines.join("\n"))
                .with_context(|| format!("writing {}", ids_out.display()))
        }
        Command::DropMongo { mongo } => {
            seed::drop_database(&mongo.mongodb_url, &mongo.database).await
        }
        Command::Memory {
            database_url,
            embeddings_url,
            users,
            iterations,
            embed_iterations,
        } => {
            let users = std::fs::read_to_string(&users)
                .with_context(|| format!("reading {}", users.display()))?
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| UserId::parse(l.trim()).context("a user id"))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let report = memory_bench::run(memory_bench::MemoryBench {
                database_url,
                embeddings_url,
                users,
                iterations,
                embed_iterations,
            })
            .await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Cli::parse().command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-tool: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;
    use clap::error::ErrorKind;

    use super::*;

    #[test]
    fn commands_parse_and_unknown_flags_are_refused() {
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from([
            "bench-tool",
            "drop-mongo",
            "--mongodb-url",
            "mongodb://x",
            "--database",
            "d",
        ])
        .unwrap();
        assert!(matches!(cli.command, Command::DropMongo { .. }));
        let error = Cli::try_parse_from(["bench-tool", "drop-mongo", "--bogus"]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownArgument);
        assert!(Cli::try_parse_from(["bench-tool", "nothing"]).is_err());
    }
}
