"""The `appeal` command's way in, for the console script and `python -m appeal`."""


def run() -> int:
    """`appeal.cli.main`, with a Ctrl-C pressed while it is still loading (its imports, the parser) ending as one
    pressed later does, with "stopped." and status 130, not a Python traceback. Here, not in appeal.cli, because
    that module's own imports are part of the window."""
    try:
        from appeal.cli import main

        return main()
    except KeyboardInterrupt:
        import sys

        try:
            from appeal.base.language import translate

            stopped = translate("stopped.")
        except Exception:  # the interrupted import may have left the catalogs half loaded
            stopped = "stopped."
        print("\nappeal: " + stopped, file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(run())
