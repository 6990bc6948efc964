"""Small TypeScript source builders that lay code out the way Prettier would."""

from __future__ import annotations

PRINT_WIDTH = 100  # the generated projects' .prettierrc.json


def ts_import(names: list[str], module: str) -> str:
    """`import { a, b } from "module";` on one line when it fits, else one name per line."""
    one_line = f'import {{ {", ".join(names)} }} from "{module}";'
    if len(one_line) <= PRINT_WIDTH:
        return one_line
    return "import {\n" + "".join(f"  {name},\n" for name in names) + f'}} from "{module}";'


def js_string(text: str) -> str:
    """A JavaScript string literal quoted as Prettier quotes it: double quotes unless the text
    holds more of them than single quotes."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    body = body.replace("\n", "\\n").replace("\r", "\\r").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return quote + body + quote


def ts_function(head: str, params: list[str], tail: str) -> str:
    """`head(a, b)tail` on one line when it fits, else one parameter per line."""
    one_line = f"{head}({', '.join(params)}){tail}"
    if len(one_line) <= PRINT_WIDTH:
        return one_line
    return f"{head}(\n" + "".join(f"  {p},\n" for p in params) + f"){tail}"


def article(noun: str) -> str:
    """"a doctor", "an appointment" (by spelling, which is right for most nouns)."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def ts_call(callee: str, args: list[str], indent: int, tail: str = ";") -> str:
    """`callee(a, b);` at `indent` on one line when it fits, else one argument per line."""
    pad = " " * indent
    one_line = f"{pad}{callee}({', '.join(args)}){tail}"
    if len(one_line) <= PRINT_WIDTH:
        return one_line
    return f"{pad}{callee}(\n" + "".join(f"{pad}  {a},\n" for a in args) + f"{pad}){tail}"
