//! The `weft` binary: the desktop app when given no command, the CLI otherwise.

use std::process::ExitCode;

use clap::Parser;
use weft::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(command) => weft::cli::run(command),
        None => weft::ui::run(cli.project),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output went away (`weft docs P | head -1`): the work is done.
        Err(e) if weft::cli::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            #[allow(clippy::print_stderr)] // the one place errors reach the terminal
            {
                eprintln!("error: {e:#}");
            }
            ExitCode::from(weft::cli::exit_status(&e))
        }
    }
}
