//! The `lifecycle` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    lifecycle::cli::main()
}
