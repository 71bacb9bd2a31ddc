"""`scw-mcp-gen`: regenerate scw_mcp/generated/ from the installed scaleway SDK."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import click

from .build import GeneratorError, build_model
from .config import GeneratorConfig
from .postprocess import GeneratedSyntaxError, postprocess
from .render import RenderedFile, render_all
from .write import drift, write


def generate(config: GeneratorConfig) -> list[RenderedFile]:
    """The whole pipeline but the last stage: introspect -> model -> render -> postprocess."""
    model = build_model(config)
    return postprocess(render_all(config, model))


@click.command()
@click.option("--check", is_flag=True, help="Write nothing; print a diff and exit 1 if the tree is out of date.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Write here instead.")
def main(check: bool, out_dir: Path | None) -> None:
    """Regenerate the MCP tool modules and catalog from the installed scaleway SDK."""
    config = GeneratorConfig()
    if out_dir is not None:
        config = replace(config, out_dir=out_dir)
    started = time.perf_counter()
    try:
        files = generate(config)
    except (GeneratorError, GeneratedSyntaxError) as exc:
        click.echo(f"scw-mcp-gen: {exc}", err=True)
        sys.exit(2)
    if check:
        diff = drift(files, config.out_dir)
        if diff:
            click.echo(diff, nl=False)
            click.echo(
                f"\nscw-mcp-gen --check: {config.out_dir} is out of date with the installed SDK.\n"
                f"Fix it with: {config.fix_command}",
                err=True,
            )
            sys.exit(1)
        click.echo(f"scw-mcp-gen --check: up to date ({len(files)} files, {time.perf_counter() - started:.1f}s)")
        return
    touched = write(files, config.out_dir)
    click.echo(
        f"scw-mcp-gen: {len(files)} files, {len(touched)} changed in {config.out_dir} "
        f"({time.perf_counter() - started:.1f}s)"
    )


if __name__ == "__main__":
    main()
