fn main() -> std::process::ExitCode {
    spinewatch::cli::main()
}
