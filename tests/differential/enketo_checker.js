// Enketo's side of the differential test, on any DOM: harness.js runs it on jsdom,
// harness_fast.js on @xmldom/xmldom + the `xpath` package (the fastest we have in Node).
//
// It evaluates an XForm (pyxform's output) on submission instances with Enketo's
// openrosa-xpath-evaluator, with the expression rewrites Enketo's FormModel applies
// before evaluating (indexed-repeat, current(), instance(), root shift), and reports the
// verdicts ODK Collect and Enketo give:
//   skip_logic.not_relevant      a question answered while it (or an ancestor) is not relevant
//   skip_logic.required_missing  a relevant, empty question whose `required` is true
//   skip_logic.constraint_failed a relevant, non-empty answer whose constraint is false
// Anything it cannot evaluate offline (pulldata, external instances, a random() draw that
// changes the result, unknown functions, errors) makes the affected paths "cannot check".
//
// Protocol (JSON lines): stdin line 1 = {"xform": "<h:html ...>"}, then one line per
// submission {"id": ..., "batch": ..., "now": <epoch ms>, "instance": "<data>...</data>"};
// stdout one line per submission {"id", "batch" (echoed: the caller may send a batch again,
// e.g. to time it pass after pass), "findings": [{code, path, expression, value}],
// "cannot_check": [path], "evaluations": n, "ms" and "cpu_ms": wall and CPU time to load
// the instance into a DOM and check it}.
// The time zone is the process's TZ (set by the caller).
'use strict';

const readline = require('readline');

const orxe = require('openrosa-xpath-evaluator');

// Set by serve(): the DOM implementation's parser and serializer, and Enketo's evaluator.
let evaluator = null;
let parser = null;
let serializer = null;
let loadInstance = null; // optional faster instance loader (xml -> Document)
const RealDate = Date;
const XFORMS = 'http://www.w3.org/2002/xforms';
const CONTROLS = new Set(['input', 'select1', 'select', 'upload', 'trigger', 'range', 'rank', 'odk:rank']);
// Functions that give no reproducible offline answer.
// random() is not among them: an expression using it is evaluated with the lowest and the
// highest draw, and is known when both give the same result (Checker.evaluate).
const UNCHECKABLE = /\b(pulldata|randomize|uuid|digest|instance|version)\s*\(/;
const RANDOM = /\brandom\s*\(/;
const LITERALS = /"[^"]*"|'[^']*'/g;
const MAX_PASSES = 25;
// Parts of an expression whose rewrite depends on the context node or the data.
const DYNAMIC = /indexed-repeat|choice-name|current\s*\(/;

let frozen = 0;
// today()/now() are the interview's time: freeze the clock the evaluator reads.
class FrozenDate extends RealDate {
    constructor(...args) {
        if (args.length === 0) super(frozen);
        else super(...args);
    }
    static now() {
        return frozen;
    }
}

class CannotCheck extends Error {}

function stripNamespaces(xml) {
    // As Enketo's FormModel: a default namespace would hide /data/... from XPath.
    return xml.replace(/\s(xmlns=("|')[^\s>]+("|'))/g, ' data-$1');
}

function kids(el) {
    // Element children as an array, on any DOM (xmldom has no firstElementChild).
    const out = [];
    for (let child = el.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === 1) out.push(child);
    }
    return out;
}

function parse(xml, what) {
    let doc;
    try {
        doc = what === 'instance' && loadInstance ? loadInstance(xml) : parser.parseFromString(xml, 'text/xml');
    } catch (e) {
        throw new Error(`unreadable ${what}: ${e.message}`);
    }
    if (doc.getElementsByTagName('parsererror').length) throw new Error(`unreadable ${what}`);
    return doc;
}

function attr(el, name) {
    const value = el.getAttribute(name);
    return value === null || value.trim() === '' ? null : value;
}

function splitArgs(text, start) {
    // text[start] is just after "name(": returns [args, index after the closing paren].
    const args = [];
    let depth = 0;
    let quote = null;
    let current = '';
    for (let i = start; i < text.length; i++) {
        const ch = text[i];
        if (quote) {
            current += ch;
            if (ch === quote) quote = null;
        } else if (ch === '"' || ch === "'") {
            quote = ch;
            current += ch;
        } else if (ch === '(') {
            depth++;
            current += ch;
        } else if (ch === ')') {
            if (depth === 0) {
                args.push(current.trim());
                return [args, i + 1];
            }
            depth--;
            current += ch;
        } else if (ch === ',' && depth === 0) {
            args.push(current.trim());
            current = '';
        } else {
            current += ch;
        }
    }
    throw new CannotCheck(`unbalanced parentheses in ${text}`);
}

function findCall(expr, name) {
    // First call of `name(` that is not inside a string literal, or null.
    let quote = null;
    for (let i = 0; i < expr.length; i++) {
        const ch = expr[i];
        if (quote) {
            if (ch === quote) quote = null;
        } else if (ch === '"' || ch === "'") {
            quote = ch;
        } else if (expr.startsWith(`${name}(`, i) && !/[\w:.-]/.test(expr[i - 1] || ' ')) {
            const [args, end] = splitArgs(expr, i + name.length + 1);
            return { start: i, end, args };
        }
    }
    return null;
}

function shiftRoot(expr) {
    // Enketo FormModel.shiftRoot: absolute paths address the primary instance.
    const LITERALS = /"([^"]*)(")|'([^']*)(')/g;
    const encode = (m, p1, p2, p3, p4) =>
        (p2 || p4) + encodeURIComponent(p1 !== undefined ? p1 : p3) + (p2 || p4);
    const decode = (m, p1, p2, p3, p4) =>
        (p2 || p4) + decodeURIComponent(p1 !== undefined ? p1 : p3) + (p2 || p4);
    let out = expr.replace(LITERALS, encode);
    out = out.replace(/^(\/(?!model\/)[^/][^/\s,"']*\/)/g, '/model/instance[1]$1');
    out = out.replace(/([^a-zA-Z0-9.\])/*_-])(\/(?!model\/)[^/][^/\s,"']*\/)/g, '$1/model/instance[1]$2');
    return out.replace(LITERALS, decode);
}

const PATH = /(?:\.\.\/)*\.\.(?![\w./])|(?:\.\.\/|\.\/)+[A-Za-z_][\w.-]*(?:\/[A-Za-z_][\w.-]*)*|\/[A-Za-z_][\w.-]*(?:\/[A-Za-z_][\w.-]*)*|(?<![\w.])\.(?![\w./])/g;
const NAME = /[A-Za-z_][\w.:-]*/g;

function pathsRead(expr, nodeset) {
    // Generic paths an expression reads (pyxform writes ${q} as /data/.../q or ../q), or
    // null when it has any other step (a name test, //, *, @, a predicate, current()...).
    // position(path) and count(path) read which nodes exist, fixed once the data is loaded.
    const text = expr
        .replace(/"[^"]*"|'[^']*'/g, '""')
        .replace(/\b(position|count)\s*\(\s*(\.\.|[\w./-]+)\s*\)/g, '1');
    if (/\/\/|\[|@/.test(text)) return null;
    const paths = [];
    const rest = text.replace(PATH, (path) => {
        paths.push(path);
        return ' ';
    });
    if (rest.includes('/')) return null;
    for (const m of rest.matchAll(NAME)) {
        const name = m[0];
        if (['and', 'or', 'div', 'mod'].includes(name)) continue;
        const isCall = rest.slice(m.index + name.length).trimStart().startsWith('(');
        if (isCall && !['current', 'instance'].includes(name)) continue;
        return null;
    }
    return paths.map((path) => {
        if (path.startsWith('/')) return path;
        const parts = nodeset.split('/');
        for (const step of path.split('/')) {
            if (step === '..') parts.pop();
            else if (step !== '.' && step !== '') parts.push(step);
        }
        return parts.join('/');
    });
}

class Form {
    constructor(xformText) {
        const doc = parse(xformText, 'XForm');
        const model = doc.getElementsByTagNameNS(XFORMS, 'model')[0];
        const instances = kids(model).filter((el) => el.localName === 'instance');
        // Secondary instances (choice lists) as Enketo keeps them; external ones (src) stay empty.
        this.secondary = instances
            .slice(1)
            .map((el) => stripNamespaces(serializer.serializeToString(el)))
            .join('');
        // Secondary instances are only needed when an evaluated expression reads one.
        this.usesInstances = kids(model).some(
            (el) => el.localName === 'bind' && ['relevant', 'required', 'constraint', 'calculate'].some((a) => /instance\(/.test(el.getAttribute(a) || '')),
        );
        this.converted = new Map(); // expression -> {text} or {error}: see Checker.convert
        this.external = new Set(instances.filter((el) => el.getAttribute('src')).map((el) => el.getAttribute('id')));
        this.binds = new Map();
        for (const bind of kids(model).filter((el) => el.localName === 'bind')) {
            this.binds.set(bind.getAttribute('nodeset'), {
                relevant: attr(bind, 'relevant'),
                required: attr(bind, 'required'),
                constraint: attr(bind, 'constraint'),
                calculate: attr(bind, 'calculate'),
                preload: attr(bind, 'jr:preload'),
            });
        }
        this.readEarly = this.findReadEarly(instances[0]);
        this.questions = new Set();
        this.repeats = new Set();
        this.labels = new Map(); // generic path -> Map(value -> label) for jr:choice-name
        const body = doc.getElementsByTagNameNS('http://www.w3.org/1999/xhtml', 'body')[0];
        const itext = this.readItext(model);
        for (const el of body.getElementsByTagName('*')) {
            if (el.localName === 'repeat') this.repeats.add(el.getAttribute('nodeset'));
            else if (CONTROLS.has(el.tagName) && el.getAttribute('ref')) {
                const ref = el.getAttribute('ref');
                this.questions.add(ref);
                this.labels.set(ref, this.choiceLabels(el, itext, model));
            }
        }
    }

    findReadEarly(primary) {
        // Generic paths of the leaves that a relevant or calculate placed at or before them
        // in document order reads: only a change of one of those needs another pass (the
        // rest is read after it is final). null: some expression reads paths we cannot list.
        const order = new Map();
        const leaves = [];
        const walk = (el, path) => {
            if (order.has(path)) return; // pyxform may write a repeat twice (jr:template)
            order.set(path, order.size);
            const children = kids(el);
            if (!children.length) leaves.push(path);
            for (const child of children) walk(child, `${path}/${child.tagName}`);
        };
        const root = kids(primary)[0];
        walk(root, `/${root.tagName}`);
        const early = new Set();
        for (const [nodeset, bind] of this.binds) {
            for (const expr of [bind.relevant, bind.calculate]) {
                if (!expr) continue;
                const refs = pathsRead(expr, nodeset);
                if (refs === null) return null;
                const at = order.has(nodeset) ? order.get(nodeset) : -1;
                for (const ref of refs) {
                    for (const leaf of leaves) {
                        if ((leaf === ref || leaf.startsWith(`${ref}/`)) && order.get(leaf) >= at) early.add(leaf);
                    }
                }
            }
        }
        return early;
    }

    readItext(model) {
        // Labels of the default (else first) translation: id -> text.
        const texts = new Map();
        const translations = [...model.getElementsByTagNameNS(XFORMS, 'translation')];
        const chosen = translations.find((t) => t.getAttribute('default')) || translations[0];
        if (!chosen) return texts;
        for (const text of chosen.getElementsByTagNameNS(XFORMS, 'text')) {
            const value = kids(text).find((v) => !v.getAttribute('form'));
            if (value) texts.set(text.getAttribute('id'), value.textContent);
        }
        return texts;
    }

    choiceLabels(control, itext, model) {
        const labels = new Map();
        const label = (item) => {
            const el = kids(item).find((c) => c.localName === 'label');
            if (!el) return '';
            const ref = el.getAttribute('ref');
            const m = ref && ref.match(/jr:itext\('([^']+)'\)/);
            return m ? itext.get(m[1]) || '' : el.textContent;
        };
        for (const item of kids(control).filter((c) => c.localName === 'item')) {
            const value = kids(item).find((c) => c.localName === 'value');
            if (value) labels.set(value.textContent, label(item));
        }
        const itemset = kids(control).find((c) => c.localName === 'itemset');
        if (itemset) {
            const m = itemset.getAttribute('nodeset').match(/instance\('([^']+)'\)/);
            const inst = m && kids(model).find((el) => el.getAttribute('id') === m[1]);
            for (const item of inst ? inst.getElementsByTagName('item') : []) {
                const get = (n) => kids(item).find((c) => c.localName === n);
                const name = get('name');
                const itextId = get('itextId');
                const text = get('label');
                if (name) labels.set(name.textContent, itextId ? itext.get(itextId.textContent) || '' : text ? text.textContent : '');
            }
        }
        return labels;
    }
}

class Checker {
    constructor(form, instanceXml) {
        this.form = form;
        const data = stripNamespaces(instanceXml);
        const xml = form.usesInstances ? `<model><instance>${data}</instance>${form.secondary}</model>` : data;
        this.doc = parse(xml, 'instance');
        this.root = form.usesInstances ? kids(kids(this.doc.documentElement)[0])[0] : this.doc.documentElement;
        this.nodes = [];
        this.generic = new Map(); // element -> generic path (/data/grp/q)
        this.keys = new Map(); // element -> KoBo key with repeat indexes (grp/rep[2]/q)
        this.parent = new Map();
        this.position = new Map(); // repeat instance -> 1-based index
        this.leaves = new Set();
        this.walk(this.root, `/${this.root.tagName}`, '');
        this.evaluations = 0;
    }

    walk(el, generic, key) {
        // jsdom's live HTMLCollections are slow: record the tree once.
        this.nodes.push(el);
        this.generic.set(el, generic);
        this.keys.set(el, key);
        const counts = new Map();
        let leaf = true;
        for (const child of kids(el)) {
            leaf = false;
            const g = `${generic}/${child.tagName}`;
            let k = key ? `${key}/${child.tagName}` : child.tagName;
            if (this.form.repeats.has(g)) {
                const n = (counts.get(g) || 0) + 1;
                counts.set(g, n);
                k += `[${n}]`;
                this.position.set(child, n);
            }
            this.parent.set(child, el);
            this.walk(child, g, k);
        }
        if (leaf) this.leaves.add(el);
    }

    positioned(el) {
        // Absolute path with the position of every repeat instance, for current().
        const parts = [];
        for (let node = el; node; node = this.parent.get(node)) {
            const n = this.position.get(node);
            parts.unshift(n ? `${node.tagName}[${n}]` : node.tagName);
        }
        return `/${parts.join('/')}`;
    }

    convert(expr, context) {
        // The rewrite of an expression without context- or data-dependent parts is the same
        // every time: done once per form (Enketo's FormModel redoes it on every evaluation).
        const known = this.form.converted.get(expr);
        if (known !== undefined) {
            if (known.error) throw new CannotCheck(known.error);
            return known.text;
        }
        const dynamic = DYNAMIC.test(expr);
        let text;
        try {
            text = this.rewrite(expr, context);
        } catch (e) {
            if (!dynamic && e instanceof CannotCheck) this.form.converted.set(expr, { error: e.message });
            throw e;
        }
        if (!dynamic) this.form.converted.set(expr, { text });
        return text;
    }

    rewrite(expr, context) {
        // Enketo FormModel.evaluate's rewrites, then ours for jr:choice-name (Enketo's view does it).
        if (UNCHECKABLE.test(expr.replace(/"[^"]*"|'[^']*'/g, '""'))) {
            const m = expr.match(/instance\(\s*['"]([^'"]+)['"]\s*\)/);
            if (!m || this.form.external.has(m[1]) || /pulldata|randomize|uuid|digest|version\s*\(/.test(expr)) {
                throw new CannotCheck(`not evaluable offline: ${expr}`);
            }
        }
        let out = expr;
        for (let call = findCall(out, 'indexed-repeat'); call; call = findCall(out, 'indexed-repeat')) {
            const params = call.args;
            if (params.length % 2 !== 1) throw new CannotCheck(`indexed-repeat arity: ${expr}`);
            let path = params[0];
            for (let i = params.length - 1; i > 1; i -= 2) {
                const position = isNaN(params[i]) ? this.evaluate(params[i], context, 'number') : params[i];
                path = path.replace(params[i - 1], `${params[i - 1]}[position() = ${position}]`);
            }
            out = out.slice(0, call.start) + path + out.slice(call.end);
        }
        for (let call = findCall(out, 'jr:choice-name'); call; call = findCall(out, 'jr:choice-name')) {
            const value = this.evaluate(call.args[0], context, 'string');
            const ref = call.args[1].replace(/^\s*['"]\s*|\s*['"]\s*$/g, '');
            const target = ref.startsWith('/') ? ref : this.resolveRelative(ref, context);
            const labels = this.form.labels.get(target);
            if (!labels) throw new CannotCheck(`jr:choice-name on unknown question ${ref}`);
            const label = labels.get(value) || '';
            out = `${out.slice(0, call.start)}"${label.replace(/"/g, "'")}"${out.slice(call.end)}`;
        }
        out = out.replace(/instance\(\s*(["'])([^"']+)\1\s*\)/g, '/model/instance[@id="$2"]');
        out = out.replace(/current\(\)/g, this.positioned(context));
        return this.form.usesInstances ? shiftRoot(out.trim()) : out.trim();
    }

    resolveRelative(ref, context) {
        const parts = this.generic.get(context).split('/');
        for (const step of ref.split('/')) {
            if (step === '..') parts.pop();
            else if (step !== '.') parts.push(step);
        }
        return parts.join('/');
    }

    evaluate(expr, context, type) {
        if (!RANDOM.test(expr.replace(LITERALS, '""'))) return this.evaluateOnce(expr, context, type);
        // Enketo's random() reads Math.random(): try both ends of its range.
        const draw = Math.random;
        let low;
        let high;
        try {
            Math.random = () => 0;
            low = this.evaluateOnce(expr, context, type);
            Math.random = () => 0.999999999999;
            high = this.evaluateOnce(expr, context, type);
        } finally {
            Math.random = draw;
        }
        if (low !== high && !(Number.isNaN(low) && Number.isNaN(high))) {
            throw new CannotCheck(`depends on random(): ${expr}`);
        }
        return low;
    }

    evaluateOnce(expr, context, type) {
        this.evaluations++;
        let converted;
        try {
            converted = this.convert(expr, context);
        } catch (e) {
            if (e instanceof CannotCheck) throw e;
            throw new CannotCheck(`${expr}: ${e.message}`);
        }
        const types = { boolean: 3, string: 2, number: 1 };
        let result;
        try {
            result = evaluator.evaluate(converted, context, null, types[type], null);
        } catch (e) {
            throw new CannotCheck(`${expr}: ${e.message}`);
        }
        if (type === 'boolean') return result.booleanValue;
        if (type === 'number') return result.numberValue;
        return result.stringValue;
    }

    readsUnknown(expr, tainted) {
        // A verdict or value that reads a value we could not compute is unknown too.
        if (!expr || tainted.size === 0) return false;
        for (const t of tainted) {
            if (!this.leaves.has(t)) continue;
            const g = this.generic.get(t);
            if (!this.matchers.has(g)) {
                const name = g.split('/').pop().replace(/\./g, '\\.');
                this.matchers.set(g, new RegExp(`(${g.replace(/\./g, '\\.')}|\\.\\./[\\w./-]*\\b${name})(?![\\w.-])`));
            }
            if (this.matchers.get(g).test(expr)) return true;
        }
        return false;
    }

    run() {
        const form = this.form;
        const leaves = this.nodes.filter((el) => this.leaves.has(el));
        const submitted = new Map(leaves.map((el) => [el, el.textContent]));
        const relevant = new Map();
        const tainted = new Set(); // relevance or value unknown
        this.reasons = new Map();
        this.matchers = new Map();
        // Another pass is needed only when a value (or whether it is known) changed after an
        // expression earlier in the pass read it: Form.findReadEarly lists those leaves.
        const early = form.readEarly;
        let changed = true;
        let passes = 0;
        while (changed && passes < MAX_PASSES) {
            changed = false;
            passes++;
            for (const el of this.nodes) {
                const bind = form.binds.get(this.generic.get(el)) || {};
                const parent = this.parent.get(el);
                let isRelevant = parent && parent !== this.root ? relevant.get(parent) : true;
                let reason = parent && tainted.has(parent) ? this.reasons.get(parent) : null;
                if (isRelevant && bind.relevant) {
                    try {
                        isRelevant = this.evaluate(bind.relevant, el, 'boolean');
                        if (!reason && this.readsUnknown(bind.relevant, tainted)) {
                            reason = `relevant reads an unknown value: ${bind.relevant}`;
                        }
                    } catch (e) {
                        if (!(e instanceof CannotCheck)) throw e;
                        reason = reason || e.message;
                        isRelevant = true; // unknown: keep the value; its verdicts are dropped
                    }
                }
                let value = isRelevant ? submitted.get(el) : '';
                if (this.leaves.has(el) && isRelevant && bind.calculate && submitted.get(el) === '') {
                    // A calculate missing from the submission is computed; a carried one is used.
                    try {
                        value = this.evaluate(bind.calculate, el, 'string');
                        if (!reason && this.readsUnknown(bind.calculate, tainted)) {
                            reason = `calculation reads an unknown value: ${bind.calculate}`;
                        }
                    } catch (e) {
                        if (!(e instanceof CannotCheck)) throw e;
                        value = '';
                        reason = reason || e.message;
                    }
                }
                if (early === null) {
                    if (relevant.get(el) !== isRelevant || tainted.has(el) !== Boolean(reason)) changed = true;
                } else if (this.leaves.has(el) && tainted.has(el) !== Boolean(reason)) {
                    changed = true; // rare (something unknowable): checked again, to be safe
                }
                relevant.set(el, isRelevant);
                if (reason) {
                    tainted.add(el);
                    this.reasons.set(el, reason);
                } else {
                    tainted.delete(el);
                }
                if (this.leaves.has(el) && el.textContent !== value) {
                    el.textContent = value;
                    if (early === null || early.has(this.generic.get(el))) changed = true;
                }
            }
        }
        return this.verdicts(leaves, submitted, relevant, tainted, passes);
    }

    verdicts(leaves, submitted, relevant, tainted, passes) {
        const form = this.form;
        const findings = [];
        const cannot = new Map();
        const reads = (expr) => this.readsUnknown(expr, tainted);
        for (const el of leaves) {
            const g = this.generic.get(el);
            if (!form.questions.has(g)) continue; // meta, calculate and hidden fields are not questions
            const bind = form.binds.get(g) || {};
            const key = this.keys.get(el);
            const answered = submitted.get(el) !== '';
            if (tainted.has(el) && !(bind.calculate && answered)) {
                cannot.set(key, this.reasons.get(el));
                continue;
            }
            if (!relevant.get(el)) {
                if (answered) findings.push({ code: 'skip_logic.not_relevant', path: key, expression: this.relevanceExpr(el), value: submitted.get(el) });
                continue;
            }
            try {
                if (!el.textContent) {
                    if (bind.required && this.evaluate(bind.required, el, 'boolean')) {
                        if (reads(bind.required)) cannot.set(key, `required reads an unknown value: ${bind.required}`);
                        else findings.push({ code: 'skip_logic.required_missing', path: key, expression: bind.required, value: '' });
                    }
                } else if (bind.constraint && !this.evaluate(bind.constraint, el, 'boolean')) {
                    if (reads(bind.constraint)) cannot.set(key, `constraint reads an unknown value: ${bind.constraint}`);
                    else findings.push({ code: 'skip_logic.constraint_failed', path: key, expression: bind.constraint, value: el.textContent });
                }
            } catch (e) {
                if (!(e instanceof CannotCheck)) throw e;
                cannot.set(key, e.message);
            }
        }
        return { findings, cannot_check: Object.fromEntries(cannot), evaluations: this.evaluations, passes };
    }

    relevanceExpr(el) {
        // The innermost false `relevant` on the node or its ancestors, for the diagnosis.
        for (let node = el; node && node !== this.root; node = this.parent.get(node)) {
            const bind = this.form.binds.get(this.generic.get(node));
            if (bind && bind.relevant) {
                try {
                    if (!this.evaluate(bind.relevant, node, 'boolean')) return `${this.generic.get(node)}: ${bind.relevant}`;
                } catch (e) {
                    return bind.relevant;
                }
            }
        }
        return '';
    }
}

async function main() {
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    let form = null;
    globalThis.Date = FrozenDate;
    for await (const line of lines) {
        if (!line.trim()) continue;
        const message = JSON.parse(line);
        if (form === null) {
            form = new Form(message.xform);
            continue;
        }
        frozen = message.now;
        let result;
        const cpu = process.cpuUsage();
        const started = process.hrtime.bigint();
        try {
            result = new Checker(form, message.instance).run();
        } catch (e) {
            result = { error: `${e.name}: ${e.message}` };
        }
        // Time to load this submission into a DOM and check it (for bench/validate.py): wall
        // clock, and this process's CPU time (what a busy machine's other work does not add).
        result.ms = Number(process.hrtime.bigint() - started) / 1e6;
        const used = process.cpuUsage(cpu);
        result.cpu_ms = (used.user + used.system) / 1000;
        process.stdout.write(`${JSON.stringify({ id: message.id, batch: message.batch, ...result })}\n`);
    }
}

function serve(dom) {
    // dom: {parser, serializer, loadInstance?} of the DOM implementation the globals (XPathEvaluator,
    // XPathResult, Node) were set up for by the caller.
    parser = dom.parser;
    serializer = dom.serializer;
    loadInstance = dom.loadInstance || null;
    evaluator = orxe();
    main().catch((e) => {
        process.stderr.write(`${e.stack}\n`);
        process.exit(1);
    });
}

module.exports = { serve };
