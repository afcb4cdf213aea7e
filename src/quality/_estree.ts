// The facts of a TS/JS file from acorn with its TypeScript plugin (ESTree), the same facts the
// TypeScript compiler gives (_ts.ts, the reference: a test compares both on br's own sources).
// acorn loads in about 20 ms and the compiler in 150-300 ms, and the facts of a 64k-line tree
// take about 0.5 s with acorn, 0.7-0.8 s with the compiler. acorn refuses some texts the
// compiler reads anyway (it recovers from syntax errors): those throw here, and the caller
// asks the compiler.
// Two layers around the plugin (`quickErrors`, `lean`) replace some of its methods and acorn's
// with cheaper ones that give the same trees less their line/column data: they rely on the
// exact versions deno.json pins, and estree_test.ts is the check to run on an upgrade.
import { type Options, Parser } from "acorn";
import { tsPlugin } from "@sveltejs/acorn-typescript";
import {
  type ExportFact,
  type FileFacts,
  type FunctionFact,
  type ImportFact,
  isTestPath,
  lineLookup,
  MARKER_RE,
  type MarkerFact,
  markerIn,
  NOT_IMPLEMENTED_RE,
  type SourceLang,
  type StubFact,
} from "./_facts.ts";

/** An ESTree node, as acorn and its TypeScript plugin give them. */
// deno-lint-ignore no-explicit-any
type Node = { type: string; start: number; end: number; [key: string]: any };

let tsParser: typeof Parser | null = null;
let tsxParser: typeof Parser | null = null;

// The compiler reads JSX in .tsx, .jsx and every JavaScript file (its language variant).
function parserFor(file: string): typeof Parser {
  if (/\.[cm]?ts$/.test(file)) return tsParser ??= Parser.extend(quickErrors, tsPlugin(), lean);
  return tsxParser ??= Parser.extend(quickErrors, tsPlugin({ jsx: true }), lean);
}

/**
 * Syntax errors that cost next to nothing. The TypeScript plugin raises and catches one
 * wherever a reading it tries fails (each `a < b` is first tried as type arguments), and
 * acorn's own error finds its line and column by reading the text from its start (which made
 * parsing a long file quadratic) and takes a stack trace. Neither is of use here: a text
 * acorn refuses goes to the compiler. So an error is a bare object of the class the plugin
 * tests for, and its message. This layer comes before the plugin, which raises through it.
 */
function quickErrors(base: typeof Parser): typeof Parser {
  // deno-lint-ignore no-explicit-any
  const P = base as any;
  const fail = (pos: number, raisedAt: number, message: string): never => {
    throw Object.assign(Object.create(SyntaxError.prototype), { message, pos, raisedAt });
  };
  // (each calls `fail`, not the other: the plugin's versions of both call these)
  return class extends P {
    raise(pos: number, message: string): never {
      return fail(pos, this.pos, message);
    }
    raiseRecoverable(pos: number, message: string): never {
      return fail(pos, this.pos, message);
    }
  } as unknown as typeof Parser;
}

/**
 * The plugin without what the facts do not need and costs the most memory: the line and
 * column of every node and token (`options.locations`, which the plugin's `parse` turns on,
 * so {@link analyzeEstree} constructs the parser itself). The plugin reads `loc` and `startLoc`
 * in places: they get one shared, frozen value, and the plugin's writes to `loc` go. And
 * without the copy of a RegExp for each word and of the text between two tokens (the same
 * tests as the plugin's `readWord` and `hasPrecedingLineBreak`).
 */
function lean(base: typeof Parser): typeof Parser {
  // deno-lint-ignore no-explicit-any
  const P = base as any;
  const { tokTypes, keywordsRegExp } = P.acornTypeScript as {
    tokTypes: Record<string, unknown>;
    keywordsRegExp: RegExp;
  };
  const acorn = P.acorn as {
    tokTypes: Record<string, unknown>;
    keywordTypes: Record<string, unknown>;
  };
  return class extends P {
    resetEndLocation(node: Node, end: number = this.lastTokEnd): void {
      node.end = end;
    }
    resetStartLocation(node: Node, start: number): void {
      node.start = start;
    }
    resetStartLocationFromNode(node: Node, from: Node): void {
      node.start = from.start;
    }
    startNodeAtNode(type: Node): unknown {
      return this.startNodeAt(type.start, POSITION);
    }
    startNode(): Node {
      const node = super.startNode();
      node.loc = LOC;
      return node;
    }
    startNodeAt(pos: number, loc: unknown): Node {
      const node = super.startNodeAt(pos, loc);
      node.loc = LOC;
      return node;
    }
    curPosition(): unknown {
      return POSITION;
    }
    readWord(): unknown {
      const word = this.readWord1();
      let type = acorn.tokTypes.name;
      if (this.keywords.test(word)) type = acorn.keywordTypes[word];
      else if (keywordsRegExp.test(word)) type = tokTypes[word];
      return this.finishToken(type, word);
    }
    hasPrecedingLineBreak(): boolean {
      const input: string = this.input;
      for (let i = this.lastTokEnd; i < this.start; i++) {
        const c = input.charCodeAt(i);
        if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return true;
      }
      return false;
    }
  } as unknown as typeof Parser;
}

/** The functions a node counts for outside any function. */
const NO_OWNERS: readonly FunctionFact[] = Object.freeze([]);

const POSITION = Object.freeze({ line: 1, column: 0, offset: () => POSITION });
const LOC = Object.freeze({ start: POSITION, end: POSITION });

/** Line starts, as the compiler counts lines: `\r\n`, `\n`, `\r`, U+2028 and U+2029. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10 || c === 0x2028 || c === 0x2029) starts.push(i + 1);
  }
  return starts;
}

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && typeof (v as Node).type === "string";
}

/** Node types that never have child nodes. */
const LEAVES = new Set([
  "Literal",
  "TemplateElement",
  "ThisExpression",
  "Super",
  "PrivateIdentifier",
  "EmptyStatement",
  "DebuggerStatement",
  "JSXText",
  "JSXIdentifier",
  "TSAnyKeyword",
  "TSUnknownKeyword",
  "TSNumberKeyword",
  "TSBigIntKeyword",
  "TSBooleanKeyword",
  "TSStringKeyword",
  "TSSymbolKeyword",
  "TSObjectKeyword",
  "TSVoidKeyword",
  "TSUndefinedKeyword",
  "TSNullKeyword",
  "TSNeverKeyword",
  "TSIntrinsicKeyword",
  "TSThisType",
]);

/**
 * The children of the nodes being walked: each node's children are pushed on top (by
 * {@link pushChildren}), walked, and popped, so that the walk allocates nothing per node.
 */
const children: Node[] = [];

/**
 * Pushes the child nodes of `node` onto {@link children}, in source order. The keys of a node
 * nearly always list its children in that order: they are sorted only when they do not.
 */
function pushChildren(node: Node): void {
  if (LEAVES.has(node.type)) return;
  const from = children.length;
  let last = -1;
  let sorted = true;
  for (const key in node) {
    if (key === "loc") continue;
    const v = node[key];
    if (typeof v !== "object" || v === null) continue;
    if (Array.isArray(v)) {
      for (const x of v) {
        if (!isNode(x)) continue;
        if (x.start < last) sorted = false;
        last = x.start;
        children.push(x);
      }
    } else if (isNode(v)) {
      if (v.start < last) sorted = false;
      last = v.start;
      children.push(v);
    }
  }
  if (!sorted) children.push(...children.splice(from).sort((a, b) => a.start - b.start));
}

/** A string literal's text (a literal, or a template without substitutions), or null. */
function stringOf(node: Node | null | undefined): string | null {
  if (!node) return null;
  if (node.type === "Literal" && typeof node.value === "string") return node.value;
  if (node.type === "TemplateLiteral" && node.expressions.length === 0) {
    return node.quasis[0].value.cooked ?? null;
  }
  return null;
}

const FUNCTION_TYPES = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
  "TSDeclareFunction",
  "TSDeclareMethod",
]);

/** A property key's name as the compiler reads one: an identifier or a string, else null. */
function keyName(owner: Node): string | null {
  if (owner.computed) return null;
  const key = owner.key;
  if (key?.type === "Identifier") return key.name;
  if (key?.type === "Literal" && typeof key.value === "string") return key.value;
  return null;
}

/** A method (of a class or an object literal) whose function is `fn`. */
function methodOf(fn: Node, parent: Node | undefined): Node | null {
  if (!parent || parent.value !== fn) return null;
  if (parent.type === "MethodDefinition" || parent.type === "TSAbstractMethodDefinition") {
    return parent;
  }
  if (parent.type === "Property" && (parent.method || parent.kind !== "init")) return parent;
  return null;
}

/** Parses one TS/JS file with acorn; throws where acorn cannot read it. */
export function analyzeEstree(file: string, text: string, lang: SourceLang): FileFacts {
  const comments: { start: number; end: number }[] = [];
  const TsParser = parserFor(file) as unknown as new (options: Options, text: string) => Parser;
  const program = new TsParser({
    sourceType: "module",
    ecmaVersion: "latest",
    locations: false,
    allowHashBang: true,
    allowReturnOutsideFunction: true,
    allowAwaitOutsideFunction: true,
    preserveParens: true,
    onComment: (_block: boolean, _text: string, start: number, end: number) =>
      void comments.push({ start, end }),
  }, text).parse() as unknown as Node;
  const starts = lineStarts(text);
  const lineOf = lineLookup(starts);
  const imports: ImportFact[] = [];
  const functions: FunctionFact[] = [];
  const stubs: StubFact[] = [];
  const exports: ExportFact[] = [];
  // The nodes from the program down to the one visited.
  const ancestors: Node[] = [];
  // Where the compiler's node of a function starts: an exported declaration at `export` (by
  // where acorn's starts: no two functions start at one place), a method at its first
  // modifier. (Keyed by number: a Map keyed by nodes made V8 keep every tree of the run in its
  // old generation until a full collection, tens of MB on a large tree.)
  const exportStart = new Map<number, number>();

  const addImport = (
    spec: Node | null | undefined,
    at: Node,
    typeOnly: boolean,
    dynamic = false,
  ) => {
    const value = stringOf(spec);
    if (value === null) return;
    imports.push({
      spec: value,
      line: lineOf(at.start),
      type_only: typeOnly,
      ...(dynamic ? { dynamic: true } : {}),
    });
  };

  const fnName = (fn: Node, parent: Node | undefined): string => {
    const method = methodOf(fn, parent);
    if (method) {
      if (method.kind === "constructor") return "constructor";
      return keyName(method) ?? "<anonymous>";
    }
    if (fn.id?.type === "Identifier") return fn.id.name;
    if (parent?.type === "VariableDeclarator" && parent.init === fn) {
      return parent.id.type === "Identifier" ? parent.id.name : "<anonymous>";
    }
    if (
      (parent?.type === "Property" && parent.value === fn && !parent.computed &&
        parent.key.type === "Identifier") ||
      ((parent?.type === "PropertyDefinition" || parent?.type === "TSAbstractPropertyDefinition") &&
        parent.value === fn && !parent.computed && parent.key.type === "Identifier")
    ) return parent.key.name;
    return "<anonymous>";
  };

  const countsAsEmptyStub = (fn: Node, parent: Node | undefined): boolean => {
    const method = methodOf(fn, parent);
    if (method) return method.kind !== "constructor";
    if (fn.type === "FunctionDeclaration") return true;
    if (parent?.type === "VariableDeclarator") return parent.init === fn;
    return (parent?.type === "Property" || parent?.type === "PropertyDefinition") &&
      parent.value === fn;
  };

  const notImplementedThrow = (node: Node): boolean => {
    const e = node.argument;
    if (e && (e.type === "NewExpression" || e.type === "CallExpression")) {
      const arg = stringOf(e.arguments?.[0]);
      if (arg !== null) return NOT_IMPLEMENTED_RE.test(arg);
    }
    const direct = stringOf(e);
    return direct !== null && NOT_IMPLEMENTED_RE.test(direct);
  };

  /**
   * One walk for everything. The complexity of a function counts the decision points in its
   * body as the compiler counts them: in the children of the body (not the body itself),
   * stopping at nested functions (their parameters and a method's key included), except that
   * a body which is itself a function is entered. `owners` are the functions a node counts
   * for, but not for `notFor` (the one whose body the node is).
   */
  const visit = (
    node: Node,
    parent: Node | undefined,
    owners: readonly FunctionFact[],
    notFor: FunctionFact | null,
  ): void => {
    switch (node.type) {
      case "ImportDeclaration":
        addImport(node.source, node, node.importKind === "type");
        break;
      case "ExportNamedDeclaration":
      case "ExportAllDeclaration":
        if (node.source) addImport(node.source, node, node.exportKind === "type");
        break;
      case "TSImportEqualsDeclaration":
        if (node.moduleReference?.type === "TSExternalModuleReference") {
          addImport(node.moduleReference.expression, node, node.importKind === "type");
        }
        break;
      case "ImportExpression":
        addImport(node.source, node, false, true);
        break;
      case "CallExpression":
        if (
          node.callee.type === "Identifier" && node.callee.name === "require" &&
          node.arguments.length >= 1
        ) addImport(node.arguments[0], node, false);
        break;
      case "TSImportType": {
        const arg = node.argument?.type === "TSLiteralType" ? node.argument.literal : node.argument;
        addImport(arg, node, true);
        break;
      }
      case "ThrowStatement":
        if (notImplementedThrow(node)) {
          let at = ancestors.length - 1;
          while (at >= 0 && !FUNCTION_TYPES.has(ancestors[at].type)) at--;
          stubs.push({
            line: lineOf(node.start),
            name: at >= 0 ? fnName(ancestors[at], ancestors[at - 1]) : "<top level>",
            reason: 'throws "not implemented"',
          });
        }
        break;
      case "IfStatement":
      case "ConditionalExpression":
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement":
      case "WhileStatement":
      case "DoWhileStatement":
      case "CatchClause":
      case "LogicalExpression":
        for (const o of owners) if (o !== notFor) o.complexity++;
        break;
      case "SwitchCase":
        if (node.test) { for (const o of owners) if (o !== notFor) o.complexity++; }
        break;
    }
    ancestors.push(node);
    if (FUNCTION_TYPES.has(node.type)) {
      let fact: FunctionFact | null = null;
      if (node.body) {
        const method = methodOf(node, parent);
        const start = lineOf(exportStart.get(node.start) ?? method?.start ?? node.start);
        const end = lineOf(method?.end ?? node.end);
        const name = fnName(node, parent);
        fact = { name, line: start, end_line: end, lines: end - start + 1, complexity: 1 };
        functions.push(fact);
        const body = node.body;
        if (
          body.type === "BlockStatement" && body.body.length === 0 &&
          countsAsEmptyStub(node, parent) &&
          text.slice(body.start, body.end).replace(/\s/g, "") === "{}"
        ) {
          stubs.push({ line: start, name, reason: "empty body" });
        }
      }
      // Only the function whose body this one is goes on counting inside it.
      const inherited = notFor !== null && owners.includes(notFor) ? [notFor] : NO_OWNERS;
      const withOwn = fact ? [...inherited, fact] : inherited;
      const from = children.length;
      pushChildren(node);
      for (let i = from, to = children.length; i < to; i++) {
        const child = children[i];
        if (child === node.body) visit(child, node, withOwn, fact);
        else visit(child, node, inherited, null);
      }
      children.length = from;
    } else {
      // (a method's key and function count for no function outside it)
      const method = node.value && FUNCTION_TYPES.has(node.value.type) &&
        methodOf(node.value, node);
      const from = children.length;
      pushChildren(node);
      for (let i = from, to = children.length; i < to; i++) {
        visit(children[i], node, method ? NO_OWNERS : owners, null);
      }
      children.length = from;
    }
    ancestors.pop();
  };

  let previousEnd = 0;
  for (const stmt of program.body as Node[]) {
    const exported = stmt.type === "ExportNamedDeclaration" ||
      stmt.type === "ExportDefaultDeclaration";
    const decl: Node | null = exported ? stmt.declaration ?? null : null;
    if (decl && FUNCTION_TYPES.has(decl.type)) exportStart.set(decl.start, stmt.start);
    if (decl) {
      const names: string[] = [];
      if (
        [
          "FunctionDeclaration",
          "TSDeclareFunction",
          "ClassDeclaration",
          "TSInterfaceDeclaration",
          "TSTypeAliasDeclaration",
          "TSEnumDeclaration",
        ].includes(decl.type) && decl.id?.type === "Identifier"
      ) names.push(decl.id.name);
      else if (decl.type === "VariableDeclaration") {
        for (const d of decl.declarations) if (d.id.type === "Identifier") names.push(d.id.name);
      }
      const documented = leadingComments(text, previousEnd).some(([pos]) =>
        text.startsWith("/**", pos)
      );
      for (const name of names) exports.push({ name, line: lineOf(stmt.start), documented });
    }
    previousEnd = stmt.end;
  }
  children.length = 0;
  visit(program, undefined, NO_OWNERS, null);

  const markers: MarkerFact[] = [];
  if (MARKER_RE.test(text)) {
    for (const c of comments) {
      if (c.start === 0 && text.startsWith("#!")) continue; // (no comment for the compiler)
      // A block comment may hold several markers, one per line.
      text.slice(c.start, c.end).split("\n").forEach((l, i) => {
        const m = markerIn(l, lineOf(c.start) + i);
        if (m) markers.push(m);
      });
    }
  }
  return {
    file,
    lang,
    lines: starts.length,
    test: isTestPath(file),
    imports,
    functions,
    stubs,
    markers,
    exports,
  };
}

function isLineBreak(c: number): boolean {
  return c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
}

/**
 * The comments the compiler counts as leading a node whose full start is `pos` (its
 * `getLeadingCommentRanges`): those after the first line break from `pos` (from the start
 * of the text, after a `#!` line, when `pos` is 0), as `[start, end]` pairs.
 */
export function leadingComments(text: string, pos: number): [number, number][] {
  const out: [number, number][] = [];
  let collecting = false;
  if (pos === 0) {
    collecting = true;
    if (text.startsWith("#!")) {
      const m = /^#![^\r\n\u2028\u2029]*/.exec(text);
      pos = m![0].length;
    }
  }
  while (pos >= 0 && pos < text.length) {
    const ch = text.charCodeAt(pos);
    if (ch === 13 || ch === 10) {
      if (ch === 13 && text.charCodeAt(pos + 1) === 10) pos++;
      pos++;
      collecting = true;
      continue;
    }
    if (ch === 9 || ch === 11 || ch === 12 || ch === 32) {
      pos++;
      continue;
    }
    if (ch === 47) {
      const next = text.charCodeAt(pos + 1);
      if (next !== 47 && next !== 42) break;
      const start = pos;
      pos += 2;
      if (next === 47) {
        while (pos < text.length && !isLineBreak(text.charCodeAt(pos))) pos++;
      } else {
        while (pos < text.length) {
          if (text.charCodeAt(pos) === 42 && text.charCodeAt(pos + 1) === 47) {
            pos += 2;
            break;
          }
          pos++;
        }
      }
      if (collecting) out.push([start, pos]);
      continue;
    }
    if (ch > 127 && isWhiteSpaceLike(ch)) {
      pos++;
      continue;
    }
    break;
  }
  return out;
}

// The compiler's `isWhiteSpaceLike` beyond ASCII: line breaks and Unicode spaces.
function isWhiteSpaceLike(ch: number): boolean {
  return isLineBreak(ch) || ch === 0xa0 || ch === 0x1680 || (ch >= 0x2000 && ch <= 0x200b) ||
    ch === 0x202f || ch === 0x205f || ch === 0x3000 || ch === 0xfeff || ch === 0x85;
}
