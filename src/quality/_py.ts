// Python is parsed with @lezer/python: a full Python grammar with error recovery, in plain
// JavaScript (no native code, no wasm). Like the TypeScript compiler, it is imported only when a
// tree with Python files is analyzed (gaps, quality, guard), never by the pre-commit hook.
import type { SyntaxNode, Tree } from "@lezer/common";
import type { LRParser } from "@lezer/lr";
import { parser as pythonParser } from "@lezer/python";
import {
  type ExportFact,
  type FileFacts,
  type FunctionFact,
  type ImportFact,
  isTestPath,
  lineLookup,
  type MarkerFact,
  markerIn,
  NOT_IMPLEMENTED_RE,
  type StubFact,
} from "./_facts.ts";

// @lezer/lr 1.4 forces a reduction after 300 large reductions from one position, a guard
// against deep left-nested trees; it also counts the repetition of statements, so after a few
// hundred statements separated by blank or comment lines it splits a valid statement and
// reports an error there (and an `import` hit that way would be lost). The guard's counter is
// held at 0 through the public `wrap` hook (a sum of 100,000 terms still parses; should a
// parse ever throw, the file gets a parse error like any other). That counter is a private
// field of @lezer/lr, so deno.json pins @lezer/lr and @lezer/python to exact versions.
const parser: LRParser = pythonParser.configure({
  wrap: (inner) => {
    if ("bigReductionCount" in inner) {
      Object.defineProperty(inner, "bigReductionCount", { get: () => 0, set: () => {} });
    }
    return inner;
  },
});

// The keywords that each add a decision point (`if` also counts in conditional expressions and
// comprehensions, `for` in comprehensions). Soft keywords (`case`) are tokens only where the
// grammar reads them as keywords, so a variable named `case` does not count.
const DECISIONS = new Set(["if", "elif", "for", "while", "except", "and", "or", "case"]);
const EXEMPT_DECORATOR = /(^|\.)(abstractmethod|overload)$/;
const PROTOCOL_BASE = /^(?:[\w.]+\.)?Protocol(?:\[[\s\S]*\])?$/;

interface FnFrame {
  node: SyntaxNode;
  name: string;
  complexity: number;
  // Not a stub when empty: abstract, an overload signature or a method of a Protocol class.
  exempt: boolean;
}

/**
 * Analyzes one Python file from its syntax tree: imports (`import a.b as c`, `from ..x import
 * (y, z)`; those under `if TYPE_CHECKING:` are type-only, those inside a function body are
 * loaded on call, like a dynamic import), functions with their length and cyclomatic
 * complexity, stubs (a body of only `pass`/`...`/a docstring, or `raise NotImplementedError`,
 * except under `@abstractmethod`/`@overload`, in `Protocol` classes and in `.pyi` stubs), TODO
 * markers in comments, public top-level defs/classes with their docstrings, and the first
 * syntax error.
 */
export function analyzePython(file: string, text: string): FileFacts {
  const tree = parse(text);
  const starts = lineStarts(text);
  const lineOf = lineLookup(starts);
  const src = (n: { from: number; to: number }) => text.slice(n.from, n.to);
  const isStubFile = file.endsWith(".pyi");
  const imports: ImportFact[] = [];
  const functions: FunctionFact[] = [];
  const stubs: StubFact[] = [];
  const exports: ExportFact[] = [];
  const markers: MarkerFact[] = [];
  const frames: FnFrame[] = [];
  let typeChecking = 0;
  const errorAt: number[] = [];

  tree.iterate({
    enter: (ref) => {
      const name = ref.name;
      if (ref.type.isError) {
        if (!errorAt.length && !grammarGap(ref.node, text)) errorAt.push(ref.from);
        return true;
      }
      if (DECISIONS.has(name) && frames.length) frames[frames.length - 1].complexity++;
      switch (name) {
        case "Comment": {
          const m = markerIn(src(ref), lineOf(ref.from));
          if (m) markers.push(m);
          return false;
        }
        case "String":
        case "FormatString":
          return false; // code inside a string is text
        case "ImportStatement":
          for (const spec of importSpecs(ref.node, src)) {
            imports.push({
              ...spec,
              line: lineOf(ref.from),
              type_only: typeChecking > 0,
              ...(frames.length ? { dynamic: true } : {}),
            });
          }
          return false;
        case "Body":
          if (isTypeCheckingBody(ref.node, src)) typeChecking++;
          return true;
        case "FunctionDefinition": {
          const node = ref.node;
          frames.push({
            node,
            name: nameOf(node, src),
            complexity: 1,
            exempt: decorators(node, src).some((d) => EXEMPT_DECORATOR.test(d)) ||
              inProtocolClass(node, src),
          });
          return true;
        }
        case "RaiseStatement": {
          const reason = notImplementedRaise(ref.node, src);
          const owner = frames[frames.length - 1];
          if (reason && !isStubFile && !owner?.exempt) {
            stubs.push({ line: lineOf(ref.from), name: owner?.name ?? "<module>", reason });
          }
          return true;
        }
      }
      return true;
    },
    leave: (ref) => {
      if (ref.name === "Body" && isTypeCheckingBody(ref.node, src)) typeChecking--;
      if (ref.name !== "FunctionDefinition") return;
      const f = frames.pop()!;
      const line = lineOf(f.node.from);
      const end = lineOf(codeEnd(f.node) - 1);
      functions.push({
        name: f.name,
        line,
        end_line: end,
        lines: end - line + 1,
        complexity: f.complexity,
      });
      const why = emptyBody(f.node, src);
      if (why && !f.exempt && !isStubFile) stubs.push({ line, name: f.name, reason: why });
    },
  });

  for (let n = tree.topNode.firstChild; n; n = n.nextSibling) {
    const def = n.name === "DecoratedStatement"
      ? n.getChild("FunctionDefinition") ?? n.getChild("ClassDefinition")
      : n;
    if (def?.name !== "FunctionDefinition" && def?.name !== "ClassDefinition") continue;
    const name = nameOf(def, src);
    if (name.startsWith("_")) continue;
    const first = statements(def.getChild("Body"))[0];
    exports.push({ name, line: lineOf(def.from), documented: !!first && isDocstring(first) });
  }

  const facts: FileFacts = {
    file,
    lang: "py",
    lines: text.length === 0 ? 0 : text.split("\n").length,
    test: isTestPath(file),
    imports,
    functions: functions.sort((a, b) => a.line - b.line),
    stubs: stubs.sort((a, b) => a.line - b.line),
    markers,
    exports,
  };
  if (errorAt.length) {
    const line = lineOf(errorAt[0]);
    const column = errorAt[0] - starts[line - 1] + 1;
    facts.parse_error = `invalid Python syntax at line ${line}, column ${column}`;
  }
  return facts;
}

// Both rewrites keep every offset, so positions in the tree are positions in `text`.
function parse(text: string): Tree {
  // Python treats a form feed as white space; the grammar's indentation tracker does not.
  const source = text.replaceAll("\f", " ");
  const tree = parser.parse(source);
  // The grammar takes only a name after `with ... as`; a tuple target (`as (a, b):`) derails
  // the rest of the block, so such a target is read again as one name of the same length.
  let patched = source;
  tree.iterate({
    enter: (ref) => {
      if (!ref.type.isError || ref.node.prevSibling?.name !== "as") return;
      if (ref.node.parent?.name !== "WithStatement") return;
      const end = targetEnd(source, ref.from);
      if (end > 0) {
        patched = patched.slice(0, ref.from) + "_".repeat(end - ref.from) + patched.slice(end);
      }
    },
  });
  return patched === source ? tree : parser.parse(patched);
}

// The end of a bracketed assignment target of names (`(a, [b, *c], d.e)`) at `from`, or -1.
function targetEnd(text: string, from: number): number {
  if (text[from] !== "(" && text[from] !== "[") return -1;
  let depth = 0;
  for (let k = from; k < text.length; k++) {
    const c = text[k];
    if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") {
      if (--depth === 0) return k + 1;
    } else if (!/[\w\s.,*]/.test(c)) return -1;
  }
  return -1;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

type Src = (n: { from: number; to: number }) => string;

function nameOf(def: SyntaxNode, src: Src): string {
  const id = def.getChild("VariableName");
  return id ? src(id) : "<anonymous>";
}

function children(node: SyntaxNode | null): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node?.firstChild; c; c = c.nextSibling) {
    if (c.name !== "Comment" && !c.type.isError) out.push(c);
  }
  return out;
}

// The statements of a block, without its colon, comments and semicolons.
function statements(body: SyntaxNode | null): SyntaxNode[] {
  return children(body).filter((c) => c.name !== ":" && c.name !== ";");
}

// A string literal alone as an expression statement (implicit concatenation included).
function isDocstring(stmt: SyntaxNode): boolean {
  const parts = children(stmt);
  return stmt.name === "ExpressionStatement" && parts.length > 0 &&
    parts.every((p) => p.name === "String");
}

function emptyBody(def: SyntaxNode, src: Src): string | null {
  const body = statements(def.getChild("Body"));
  const rest = body.length && isDocstring(body[0]) ? body.slice(1) : body;
  if (body.length && rest.length === 0) return "body is only a docstring";
  const trivial = rest.length > 0 && rest.every((s) =>
    s.name === "PassStatement" ||
    (s.name === "ExpressionStatement" && children(s).every((c) => c.name === "Ellipsis"))
  );
  return trivial ? `body is only "${src(rest[0])}"` : null;
}

// End of the last token of a definition that is not a comment (a body may end with comments).
function codeEnd(node: SyntaxNode): number {
  let n: SyntaxNode | null = node;
  while (n) {
    let last: SyntaxNode | null = n.lastChild;
    while (last && (last.name === "Comment" || last.from === last.to)) last = last.prevSibling;
    if (!last) return n.to;
    n = last;
  }
  return node.to;
}

function decorators(def: SyntaxNode, src: Src): string[] {
  const parent = def.parent;
  if (parent?.name !== "DecoratedStatement") return [];
  return parent.getChildren("Decorator").map((d) => {
    const args = d.getChild("ArgList");
    return compact(src({ from: d.from + 1, to: args ? args.from : d.to }));
  });
}

const compact = (s: string): string => s.replace(/\s+/g, "");

// A method of a class that lists `Protocol` (or `typing.Protocol[T]`) among its bases.
function inProtocolClass(def: SyntaxNode, src: Src): boolean {
  const stmt = def.parent?.name === "DecoratedStatement" ? def.parent : def;
  const cls = stmt.parent?.name === "Body" ? stmt.parent.parent : null;
  if (cls?.name !== "ClassDefinition") return false;
  const bases = children(cls.getChild("ArgList"));
  return bases.some((b, k) =>
    bases[k + 1]?.name !== "AssignOp" && bases[k - 1]?.name !== "AssignOp" &&
    PROTOCOL_BASE.test(compact(src(b)))
  );
}

// The block right after `if TYPE_CHECKING:` (not its `elif`/`else` blocks).
function isTypeCheckingBody(body: SyntaxNode, src: Src): boolean {
  if (body.parent?.name !== "IfStatement") return false;
  const cond = body.prevSibling;
  return cond?.prevSibling?.name === "if" &&
    /^(?:[\w.]+\.)?TYPE_CHECKING$/.test(compact(src(cond)));
}

function notImplementedRaise(stmt: SyntaxNode, src: Src): string | null {
  const exc = children(stmt)[1];
  if (!exc || exc.name === "from") return null;
  const callee = exc.name === "CallExpression" ? exc.firstChild! : exc;
  const name = compact(src(callee)).split(".").pop()!;
  if (name === "NotImplementedError") return "raises NotImplementedError";
  if (exc.name !== "CallExpression" || !/(Error|Exception)$/.test(name)) return null;
  const args = exc.getChild("ArgList");
  let said = false;
  for (const c = args?.cursor(); c?.next() && c.from < args!.to && !said;) {
    said = c.name === "String" && NOT_IMPLEMENTED_RE.test(src(c));
  }
  return said ? 'raises "not implemented"' : null;
}

function importSpecs(stmt: SyntaxNode, src: Src): Omit<ImportFact, "line" | "type_only">[] {
  const kids = children(stmt);
  const out: Omit<ImportFact, "line" | "type_only">[] = [];
  // A dotted name: `a . b . c` tokens up to a keyword or comma.
  const dotted = (k: number): [string, number] => {
    let name = "";
    while (k < kids.length && (kids[k].name === "VariableName" || kids[k].name === ".")) {
      name += src(kids[k++]);
    }
    return [name, k];
  };
  if (kids[0]?.name === "import") {
    for (let k = 1; k < kids.length;) {
      const [spec, next] = dotted(k);
      if (spec) out.push({ spec });
      k = next;
      if (kids[k]?.name === "as") k += 2;
      k++; // the comma
    }
    return out;
  }
  if (kids[0]?.name !== "from") return out;
  let k = 1;
  let dots = "";
  while (kids[k]?.name === "." || kids[k]?.name === "Ellipsis") dots += src(kids[k++]);
  const [mod, next] = dotted(k);
  if (mod) out.push({ spec: dots + mod });
  // `from . import a, b` and `from pkg import a` may import submodules a and b.
  for (k = next + 1; k < kids.length; k++) {
    if (kids[k].name !== "VariableName" || kids[k - 1]?.name === "as") continue;
    const spec = `${dots}${mod ? mod + "." : ""}${src(kids[k])}`;
    out.push({ spec, submodule: true });
  }
  return out;
}

// Valid Python that @lezer/python 1.1 marks as an error (found by parsing the CPython standard
// library and other large trees): a bare `yield`, a float with a trailing dot (`24.`), a starred
// target in a comprehension (`for a, *b in c`) or subscript (`Generic[*Ts]`), `/` in a lambda's
// parameters, parenthesized `with` items, a class pattern without arguments
// (`case ast.BinOp():`) and decorators that are not dotted names. Such errors
// are recovered locally, so the facts around them hold; they are just not reported.
function grammarGap(err: SyntaxNode, text: string): boolean {
  const before = err.prevSibling;
  if (before?.name === "yield" && err.from === err.to) return true;
  if (err.firstChild?.name === "*") {
    if (err.parent?.name === "MemberExpression") return true; // `Generic[*Ts]`
    for (let n = before; n && n.name !== "in"; n = n.prevSibling) if (n.name === "for") return true;
  }
  if (err.parent?.name === "ParamList" && text[err.from] === "/") return true; // `lambda a, /: a`
  if (/(?<![\w.])\d[\d_]*\.\s*$/.test(text.slice(Math.max(0, err.from - 40), err.from))) {
    return true;
  }
  for (let n = err.parent; n; n = n.parent) {
    if (n.name === "Body" || n.name === "MatchBody") return false; // inside a block: real error
    if (n.name === "WithStatement" || n.name === "MatchClause" || n.name === "Decorator") {
      return true;
    }
  }
  return false;
}
