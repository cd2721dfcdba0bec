// Enketo's evaluator on jsdom for the differential test (enketo_checker.js has the checker
// and the protocol); harness_fast.js runs the same checker on a lighter DOM.
'use strict';

const { JSDOM } = require('jsdom');

const { window } = new JSDOM('');
for (const name of ['XPathResult', 'Node', 'Element', 'Document', 'Attr']) {
    global[name] = window[name];
}
// Browsers default XPathExpression.evaluate's result type to ANY_TYPE (DOM spec); jsdom
// throws instead, which breaks the evaluator on paths after a predicate (/a[1]/b).
global.XPathEvaluator = function XPathEvaluator() {
    const native = new window.XPathEvaluator();
    return {
        evaluate: (...args) => native.evaluate(...args),
        createNSResolver: (node) => native.createNSResolver(node),
        createExpression(expression, resolver) {
            const compiled = native.createExpression(expression, resolver);
            return { evaluate: (node, type = 0, result = null) => compiled.evaluate(node, type, result) };
        },
    };
};
global.window = window;
global.document = window.document;
// jsdom's XPath walks `children`, a live HTMLCollection behind a Proxy: most of the run
// time. A plain array of the same element children gives the same results, much faster.
for (const proto of [window.Element.prototype, window.Document.prototype]) {
    Object.defineProperty(proto, 'children', {
        configurable: true,
        get() {
            const out = [];
            for (let child = this.firstElementChild; child; child = child.nextElementSibling) out.push(child);
            return out;
        },
    });
}
require('./enketo_checker').serve({
    parser: new window.DOMParser(),
    serializer: new window.XMLSerializer(),
});
