use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    billpass::cli::main().await
}
