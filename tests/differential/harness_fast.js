// Enketo's evaluator in the fastest harness we could build in Node, for bench/validate.py's
// anchor (and usable by the differential test: same checker, same protocol, same verdicts).
//
// openrosa-xpath-evaluator does ODK's functions and operators itself and hands plain XPath
// location paths to a native XPathEvaluator (the browser's, in Enketo). Here that is the
// `xpath` package (pure JS XPath 1.0) over @xmldom/xmldom: a light DOM of plain objects, far
// cheaper than jsdom's. On top of it:
//   - each path expression is parsed once per process and reused (a browser's native
//     evaluator parses on every call; this is only faster than Enketo in a browser),
//   - the evaluator and the parsed form are built once and stay warm across submissions,
//   - instances are loaded into the DOM by a small tokenizer (the browser's native parser
//     is C; xmldom's SAX parser builds regular expressions per tag), falling back to
//     xmldom's parser for anything beyond elements, attributes, text and entities,
//   - one submission at a time, timed inside Node (enketo_checker.js: DOM load + check).
'use strict';

const { DOMImplementation, DOMParser, XMLSerializer, Node, Element } = require('@xmldom/xmldom');
const xpath = require('xpath');

const { XPathResult } = xpath;
global.Node = Node;
global.XPathResult = XPathResult;

// The one DOM property the evaluator reads that xmldom lacks (position(..) walks it).
Object.defineProperty(Element.prototype, 'previousElementSibling', {
    get() {
        let node = this.previousSibling;
        while (node && node.nodeType !== 1) node = node.previousSibling;
        return node;
    },
});

// Path expression text -> parsed xpath.XPath, for the life of the process.
const parsed = new Map();
function compile(expression) {
    let found = parsed.get(expression);
    if (found === undefined) {
        found = xpath.parse(expression).expression;
        parsed.set(expression, found);
    }
    return found;
}

function run(expression, node, resolver, type) {
    // xpath's own XPathExpression.evaluate asks the document whether it is HTML and then
    // matches names case-insensitively (xmldom says yes): evaluate with an XML context.
    const context = new xpath.XPathContext();
    if (resolver && resolver.lookupNamespaceURI) {
        context.namespaceResolver = { getNamespace: (prefix) => resolver.lookupNamespaceURI(prefix) };
    }
    context.expressionContextNode = node;
    context.caseInsensitive = false;
    return new XPathResult(expression.evaluate(context), type || 0);
}

global.XPathEvaluator = function XPathEvaluator() {
    return {
        evaluate: (expression, node, resolver, type) => run(compile(expression), node, resolver, type),
        createNSResolver: () => null,
        createExpression(expression, resolver) {
            const compiled = compile(expression);
            return { evaluate: (node, type = 0) => run(compiled, node, resolver, type) };
        },
    };
};

// An element start or end tag with its attributes, or a run of text.
const TOKEN = /<(\/?)([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/gy;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY = /&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;
const NAMED = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const implementation = new DOMImplementation();
const xmlParser = new DOMParser();

function decode(text) {
    if (text.indexOf('&') === -1) return text;
    return text.replace(ENTITY, (m, name) => {
        if (name[0] !== '#') return NAMED[name];
        return String.fromCodePoint(name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10));
    });
}

function loadInstance(xml) {
    const doc = implementation.createDocument(null, null, null);
    let parent = doc;
    TOKEN.lastIndex = 0;
    let match;
    while (TOKEN.lastIndex < xml.length && (match = TOKEN.exec(xml)) !== null) {
        const [, closing, name, attributes, selfClosing, text] = match;
        if (text !== undefined) {
            if (parent !== doc) parent.appendChild(doc.createTextNode(decode(text)));
            else if (text.trim()) return xmlParser.parseFromString(xml, 'text/xml');
        } else if (closing) {
            if (parent === doc || parent.tagName !== name) return xmlParser.parseFromString(xml, 'text/xml');
            parent = parent.parentNode;
        } else {
            const el = doc.createElement(name);
            if (attributes) {
                for (const a of attributes.matchAll(ATTRIBUTE)) el.setAttribute(a[1], decode(a[2] ?? a[3]));
            }
            parent.appendChild(el);
            if (!selfClosing) parent = el;
        }
    }
    // Anything the tokenizer does not know (comments, CDATA, declarations): the full parser.
    if (TOKEN.lastIndex !== xml.length || parent !== doc || !doc.documentElement) {
        return xmlParser.parseFromString(xml, 'text/xml');
    }
    return doc;
}

require('./enketo_checker').serve({
    loadInstance,
    parser: new DOMParser(), // throws on malformed XML (the checker reports it)
    serializer: new XMLSerializer(),
});
