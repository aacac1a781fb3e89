import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ // The require scope
/******/ var __nccwpck_require__ = {};
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: ./src/engine/checks/json-tap.ts
/**
 * The hooks through which the tables read a payload's tokens while the tokenizer
 * (json-tokenizer.ts) checks it, and the decoding of a string token, which both use.
 */
/** A string token holds a byte of 0x80 or above (UTF-8 beyond ASCII, or bytes that are not). */
const NON_ASCII = 1;
/** A string token holds a `\u` escape (which may be half of a surrogate pair, or a lone one). */
const UNICODE_ESCAPE = 2;
/**
 * The string a string token means (its JSON text as latin1, quotes included). The grammar was
 * already checked, so JSON.parse cannot fail.
 */
function decodeJsonString(json) {
    const utf8 = Buffer.from(json, 'latin1').toString('utf8');
    // Stryker disable next-line StringLiteral: a checked token without a backslash parses to its text between the quotes; the slice only saves the parse
    return json.indexOf('\\') === -1 ? utf8.slice(1, -1) : JSON.parse(utf8);
}

;// CONCATENATED MODULE: ./src/engine/checks/json-tokenizer.ts
/**
 * Streaming JSON syntax check (RFC 8259) for export payloads that are too large to hold in
 * memory. Bytes are fed in arbitrary chunks while they stream to disk; memory stays constant
 * (a fixed nesting stack plus one small capture buffer) whatever the payload size.
 *
 * Besides validity it extracts `timePeriods[0].timePeriodId` of the top-level object, because
 * Clari silently exports the current quarter when it does not understand a request, and the
 * caller must compare the exported period with the requested one.
 *
 * An optional JsonTap also receives every token of chosen top-level values (the tables feature
 * reads the payload's five lists this way), so one grammar serves both the check and the tables.
 *
 * Deliberate limits:
 * - UTF-8 inside strings is not validated (bytes >= 0x80 pass through); only the JSON grammar is.
 * - A leading UTF-8 byte order mark is accepted.
 * - Nesting deeper than MAX_DEPTH is reported as invalid instead of growing the stack.
 * - A key or a timePeriodId longer than CAPTURE_LIMIT raw bytes is never captured: such a key
 *   cannot be one of the two keys we look for, and such a value is reported as absent, never as a
 *   truncated (wrong) period.
 * - Duplicate keys follow JSON.parse: the last occurrence wins.
 * - When a tapped token, or a container whose text the tap asked for, would need more than
 *   MAX_TAPPED_TOKEN of its bytes held from earlier chunks, the tap is told to abandon that value
 *   and gets no more of its tokens; the check goes on. A tap's memory stays bounded too.
 */

const MAX_DEPTH = 10_000;
const MAX_TAPPED_TOKEN = 16 * 1024 * 1024;
const CAPTURE_LIMIT = 4096;
// Parser states. Plain numeric constants keep the hot switch a jump table.
const S_VALUE = 0; // a value must follow (top level, after ':' or after ',' in an array)
const S_VALUE_OR_CLOSE = 1; // right after '['
const S_KEY_OR_CLOSE = 2; // right after '{'
const S_KEY = 3; // after ',' in an object
const S_COLON = 4;
const S_AFTER_VALUE = 5; // ',' or a closing bracket; at top level only whitespace
const S_STRING = 6;
const S_ESCAPE = 7;
const S_UNICODE = 8; // inside \uXXXX, `hexLeft` digits to go
const S_NUM_MINUS = 9;
const S_NUM_ZERO = 10;
const S_NUM_INT = 11;
const S_NUM_DOT = 12;
const S_NUM_FRAC = 13;
const S_NUM_EXP_MARK = 14;
const S_NUM_EXP_SIGN = 15;
const S_NUM_EXP = 16;
const S_LITERAL = 17;
const S_BOM = 18; // inside the 3-byte UTF-8 byte order mark, `bomPos` bytes seen
// What the next value means for the extraction of timePeriods[0].timePeriodId.
const ROLE_NONE = 0;
const ROLE_TIME_PERIODS = 1; // value of the top-level "timePeriods" key
const ROLE_FIRST_PERIOD = 2; // first element of that array
const ROLE_PERIOD_ID = 3; // value of "timePeriodId" directly inside that element
const OBJECT = 0;
const ARRAY = 1;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const BOM = [0xef, 0xbb, 0xbf];
const LITERALS = [Buffer.from('true'), Buffer.from('false'), Buffer.from('null')];
const LITERAL_TEXT = ['true', 'false', 'null'];
const LITERAL_SOURCES = LITERAL_TEXT.map(joinedSource);
const TIME_PERIODS_KEY = 'timePeriods';
const TIME_PERIOD_ID_KEY = 'timePeriodId';
/**
 * 1 for bytes that end the fast scan of string contents: '"', '\', control characters, and bytes
 * of 0x80 and above (noted in the token's flags for a tap, then the scan goes on).
 */
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 0x20; c++)
    STRING_STOP[c] = 1;
for (let c = 0x80; c < 0x100; c++)
    STRING_STOP[c] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;
const isWhitespace = (c) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const isDigit = (c) => c >= 0x30 && c <= 0x39;
const isHexDigit = (c) => (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
function describeByte(c) {
    const hex = `0x${c.toString(16).padStart(2, '0')}`;
    return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}' (${hex})` : hex;
}
function joinedSource(text) {
    return { bytes: Buffer.from(text, 'latin1'), text };
}
class JsonStreamCheck {
    tap;
    state = S_VALUE;
    stack = new Uint8Array(MAX_DEPTH);
    depth = 0;
    consumed = 0; // bytes of earlier chunks, for absolute error offsets
    error;
    // Stryker disable next-line BooleanLiteral: set at every string's opening quote before it is read
    stringIsKey = false;
    stringFlags = 0; // NON_ASCII | UNICODE_ESCAPE of the string being read
    hexLeft = 0;
    literal = 0; // index into LITERALS
    literalPos = 0;
    bomPos = 0;
    role = ROLE_NONE;
    insideFirstPeriod = false; // the object timePeriods[0] is open (at depth 3)
    capturing = false; // the extraction wants the current string
    tapping = false; // inside a value the tap selected
    // The current token's text from earlier chunks, while it is captured or tapped.
    // Stryker disable next-line BooleanLiteral: nothing is held yet, so joining adds '' either way
    held = false;
    heldText = '';
    heldOverflow = false;
    // The container whose text the tap asked for: its depth (0: none), start, and earlier chunks.
    spanDepth = 0;
    spanFrom = 0;
    spanHeld = '';
    timePeriodId;
    constructor(tap) {
        this.tap = tap;
    }
    update(chunk) {
        if (this.error !== undefined)
            return;
        const n = chunk.length;
        const stack = this.stack;
        const view = new DataView(chunk.buffer, chunk.byteOffset, n);
        const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, n);
        const tap = this.tap;
        // One latin1 string per chunk makes every tapped token a cheap slice of it.
        const source = tap === undefined ? undefined : { bytes: chunk, text: bytes.toString('latin1') };
        const text = source?.text;
        // Hot fields live in locals for the duration of the loop and are written back at the end.
        let state = this.state;
        let depth = this.depth;
        let role = this.role;
        let stringIsKey = this.stringIsKey;
        let stringFlags = this.stringFlags;
        let capturing = this.capturing;
        let tapping = this.tapping;
        let held = this.held;
        let tokenFrom = 0; // start of the current string (its quote) or number within this chunk
        let i = 0;
        loop: while (i < n) {
            let c = chunk[i];
            switch (state) {
                case S_STRING: {
                    // Every byte must be looked at to reject control characters, so Buffer.indexOf('"')
                    // cannot skip ahead; instead test four bytes per step (SWAR) and finish byte by byte.
                    if (STRING_STOP[c] === 0) {
                        i++;
                        // Per byte lane: below 0x20, equal to '"' or '\' (xor makes it zero), or 0x80 and up.
                        while (i + 4 <= n) {
                            const w = view.getInt32(i, true);
                            const x = w ^ 0x22222222;
                            const y = w ^ 0x5c5c5c5c;
                            if ((((w - 0x20202020) & ~w) | ((x - 0x01010101) & ~x) | ((y - 0x01010101) & ~y) | w) &
                                0x80808080)
                                break;
                            i += 4;
                        }
                        if (i === n)
                            break loop;
                        c = chunk[i];
                        while (STRING_STOP[c] === 0) {
                            if (++i === n)
                                break loop;
                            c = chunk[i];
                        }
                    }
                    if (c === QUOTE) {
                        i++;
                        if (capturing || tapping) {
                            // The token is in this chunk, or joined from earlier ones.
                            let where = source;
                            let from = tokenFrom;
                            let to = i;
                            if (held || where === undefined) {
                                const whole = this.tokenText(bytes, text, tokenFrom, i, held);
                                held = false;
                                where = whole === undefined ? undefined : joinedSource(whole);
                                from = 0;
                                to = whole === undefined ? 0 : whole.length;
                            }
                            // A tapped token never overflows: holding it past the limit fails the check.
                            if (tapping) {
                                if (stringIsKey)
                                    tap.key(where, from, to, stringFlags);
                                else
                                    tap.value(where, from, to, stringFlags);
                            }
                            if (capturing) {
                                capturing = false;
                                role = this.endCapture(where?.text.slice(from, to), stringIsKey, depth);
                                tapping = this.tapping;
                            }
                        }
                        if (!stringIsKey) {
                            state = S_AFTER_VALUE;
                            if (tapping && depth === 1)
                                tapping = this.endTap();
                        }
                        else if (i < n && chunk[i] === 0x3a) {
                            // Shortcut for the common '"key":' with no whitespace.
                            i++;
                            state = S_VALUE;
                        }
                        else
                            state = S_COLON;
                    }
                    else if (c === BACKSLASH) {
                        i++;
                        state = S_ESCAPE;
                    }
                    else if (c >= 0x80) {
                        i++;
                        stringFlags |= NON_ASCII;
                    }
                    else {
                        return this.fail(`control character ${describeByte(c)} inside a string`, i);
                    }
                    continue;
                }
                case S_AFTER_VALUE: {
                    if (c <= 0x20 && isWhitespace(c)) {
                        i++;
                        continue;
                    }
                    if (depth === 0)
                        return this.unexpected(chunk, i, 'after the end of the JSON value');
                    const container = stack[depth - 1];
                    i++;
                    if (c === 0x2c) {
                        state = container === OBJECT ? S_KEY : S_VALUE;
                    }
                    else if (c === 0x7d && container === OBJECT) {
                        // Only timePeriods[0] can be open while the flag is set, and it sits at depth 3.
                        if (depth === 3)
                            this.insideFirstPeriod = false;
                        depth--;
                        if (tapping)
                            tapping = this.tapClose(depth, source, i);
                    }
                    else if (c === 0x5d && container === ARRAY) {
                        depth--;
                        if (tapping)
                            tapping = this.tapClose(depth, source, i);
                    }
                    else {
                        const expected = container === OBJECT ? "',' or '}'" : "',' or ']'";
                        return this.unexpected(chunk, i - 1, `where ${expected} was expected`);
                    }
                    continue;
                }
                case S_COLON: {
                    i++;
                    if (c === 0x3a)
                        state = S_VALUE;
                    else if (!isWhitespace(c))
                        return this.unexpected(chunk, i - 1, "where ':' was expected");
                    continue;
                }
                case S_KEY_OR_CLOSE:
                case S_KEY: {
                    i++;
                    if (c === QUOTE) {
                        stringIsKey = true;
                        stringFlags = 0;
                        tokenFrom = i - 1;
                        if (depth === 1 || (depth === 3 && this.insideFirstPeriod))
                            capturing = true;
                        state = S_STRING;
                    }
                    else if (c === 0x7d && state === S_KEY_OR_CLOSE) {
                        if (depth === 3)
                            this.insideFirstPeriod = false;
                        depth--;
                        state = S_AFTER_VALUE;
                        if (tapping)
                            tapping = this.tapClose(depth, source, i);
                    }
                    else if (!isWhitespace(c)) {
                        const expected = state === S_KEY ? 'an object key' : "an object key or '}'";
                        return this.unexpected(chunk, i - 1, `where ${expected} was expected`);
                    }
                    continue;
                }
                case S_VALUE:
                case S_VALUE_OR_CLOSE: {
                    i++;
                    if (c === QUOTE) {
                        stringIsKey = false;
                        stringFlags = 0;
                        tokenFrom = i - 1;
                        if (role === ROLE_PERIOD_ID)
                            capturing = true;
                        state = S_STRING;
                    }
                    else if (c >= 0x30 && c <= 0x39) {
                        tokenFrom = i - 1;
                        state = c === 0x30 ? S_NUM_ZERO : S_NUM_INT;
                    }
                    else if (c === 0x7b || c === 0x5b) {
                        if (depth === MAX_DEPTH)
                            return this.fail(`nesting deeper than ${MAX_DEPTH} levels`, i - 1);
                        if (tapping && tap.open(c === 0x5b) && this.spanDepth === 0) {
                            this.spanDepth = depth + 1;
                            this.spanFrom = i - 1;
                        }
                        if (c === 0x7b) {
                            stack[depth++] = OBJECT;
                            if (role === ROLE_FIRST_PERIOD)
                                this.insideFirstPeriod = true;
                            state = S_KEY_OR_CLOSE;
                        }
                        else {
                            stack[depth++] = ARRAY;
                            state = S_VALUE_OR_CLOSE;
                            if (role === ROLE_TIME_PERIODS) {
                                role = ROLE_FIRST_PERIOD;
                                continue;
                            }
                        }
                    }
                    else if (c === 0x2d) {
                        tokenFrom = i - 1;
                        state = S_NUM_MINUS;
                    }
                    else if (c === 0x74 || c === 0x66 || c === 0x6e) {
                        this.literal = c === 0x74 ? 0 : c === 0x66 ? 1 : 2;
                        this.literalPos = 1;
                        state = S_LITERAL;
                    }
                    else if (c === 0x5d && state === S_VALUE_OR_CLOSE) {
                        depth--;
                        state = S_AFTER_VALUE;
                        if (tapping)
                            tapping = this.tapClose(depth, source, i);
                    }
                    else if (isWhitespace(c)) {
                        continue; // the pending role still applies to the value that follows
                    }
                    else if (c === BOM[0] && this.consumed + i === 1) {
                        this.bomPos = 1;
                        state = S_BOM;
                        continue;
                    }
                    else {
                        return this.unexpected(chunk, i - 1, 'where a value was expected');
                    }
                    role = ROLE_NONE;
                    continue;
                }
                case S_ESCAPE: {
                    if (c === 0x75) {
                        this.hexLeft = 4;
                        stringFlags |= UNICODE_ESCAPE;
                        state = S_UNICODE;
                    }
                    else if (c === QUOTE ||
                        c === BACKSLASH ||
                        c === 0x2f ||
                        c === 0x62 ||
                        c === 0x66 ||
                        c === 0x6e ||
                        c === 0x72 ||
                        c === 0x74) {
                        state = S_STRING;
                    }
                    else {
                        return this.unexpected(chunk, i, 'after a backslash in a string');
                    }
                    i++;
                    continue;
                }
                case S_UNICODE: {
                    if (!isHexDigit(c))
                        return this.unexpected(chunk, i, 'inside a \\u escape');
                    i++;
                    if (--this.hexLeft === 0)
                        state = S_STRING;
                    continue;
                }
                case S_NUM_MINUS:
                case S_NUM_DOT:
                case S_NUM_EXP_SIGN: {
                    if (!isDigit(c))
                        return this.unexpected(chunk, i, 'where a digit was expected');
                    i++;
                    state =
                        state === S_NUM_EXP_SIGN
                            ? S_NUM_EXP
                            : state === S_NUM_DOT
                                ? S_NUM_FRAC
                                : c === 0x30
                                    ? S_NUM_ZERO
                                    : S_NUM_INT;
                    continue;
                }
                case S_NUM_EXP_MARK: {
                    if (c === 0x2b || c === 0x2d)
                        state = S_NUM_EXP_SIGN;
                    else if (isDigit(c))
                        state = S_NUM_EXP;
                    else
                        return this.unexpected(chunk, i, 'in a number exponent');
                    i++;
                    continue;
                }
                case S_NUM_ZERO:
                case S_NUM_INT:
                case S_NUM_FRAC:
                case S_NUM_EXP: {
                    if (state !== S_NUM_ZERO) {
                        while (isDigit(c)) {
                            if (++i === n)
                                break loop;
                            c = chunk[i];
                        }
                    }
                    else if (isDigit(c)) {
                        return this.fail('number with a leading zero', i);
                    }
                    if (c === 0x2e && (state === S_NUM_ZERO || state === S_NUM_INT)) {
                        i++;
                        state = S_NUM_DOT;
                    }
                    else if ((c | 0x20) === 0x65 && state !== S_NUM_EXP) {
                        i++;
                        state = S_NUM_EXP_MARK;
                    }
                    else {
                        // The number ended; the current byte is judged as whatever follows a value.
                        state = S_AFTER_VALUE;
                        if (tapping) {
                            if (held) {
                                const whole = this.tokenText(bytes, text, tokenFrom, i, true);
                                held = false;
                                tap.value(joinedSource(whole), 0, whole.length, 0);
                            }
                            else
                                tap.value(source, tokenFrom, i, 0);
                            if (depth === 1)
                                tapping = this.endTap();
                        }
                    }
                    continue;
                }
                case S_LITERAL: {
                    const literal = LITERALS[this.literal];
                    if (c !== literal[this.literalPos]) {
                        return this.unexpected(chunk, i, `inside the literal '${LITERAL_TEXT[this.literal]}'`);
                    }
                    i++;
                    if (++this.literalPos === literal.length) {
                        state = S_AFTER_VALUE;
                        if (tapping) {
                            const literalSource = LITERAL_SOURCES[this.literal];
                            tap.value(literalSource, 0, literalSource.text.length, 0);
                            if (depth === 1)
                                tapping = this.endTap();
                        }
                    }
                    continue;
                }
                case S_BOM: {
                    if (c !== BOM[this.bomPos]) {
                        return this.unexpected(chunk, i, 'inside the UTF-8 byte order mark');
                    }
                    i++;
                    if (++this.bomPos === BOM.length)
                        state = S_VALUE;
                    continue;
                }
            }
        }
        // A string or number still open at the end of the chunk continues in the next one.
        if ((capturing || tapping) && state >= S_STRING && state <= S_NUM_EXP) {
            const part = this.slice(bytes, text, tokenFrom, n);
            if (tapping && this.heldText.length + part.length > MAX_TAPPED_TOKEN) {
                tapping = this.abandonTap(capturing);
            }
            held = capturing || tapping;
            if (held)
                this.hold(part, tapping);
        }
        if (this.spanDepth > 0) {
            this.spanHeld += this.slice(bytes, text, this.spanFrom, n);
            this.spanFrom = 0;
            if (this.spanHeld.length > MAX_TAPPED_TOKEN) {
                tapping = this.abandonTap(capturing);
                if (!capturing)
                    held = false;
            }
        }
        tap?.chunkEnd();
        this.state = state;
        this.depth = depth;
        this.role = role;
        this.stringIsKey = stringIsKey;
        this.stringFlags = stringFlags;
        this.capturing = capturing;
        this.tapping = tapping;
        this.held = held;
        this.consumed += n;
    }
    fail(reason, i) {
        this.error = { reason, offset: this.consumed + i };
    }
    unexpected(chunk, i, where) {
        this.fail(`unexpected ${describeByte(chunk[i])} ${where}`, i);
    }
    finish() {
        if (this.error !== undefined)
            return { valid: false, ...this.error };
        const state = this.state;
        const complete = this.depth === 0 &&
            (state === S_AFTER_VALUE ||
                state === S_NUM_ZERO ||
                state === S_NUM_INT ||
                state === S_NUM_FRAC ||
                state === S_NUM_EXP);
        if (complete) {
            return this.timePeriodId === undefined
                ? { valid: true }
                : { valid: true, firstTimePeriodId: this.timePeriodId };
        }
        return { valid: false, reason: this.endOfInputReason(), offset: this.consumed };
    }
    endOfInputReason() {
        const state = this.state;
        if (state === S_STRING || state === S_ESCAPE || state === S_UNICODE) {
            return 'unterminated string at end of input';
        }
        if (state === S_NUM_MINUS ||
            state === S_NUM_DOT ||
            state === S_NUM_EXP_MARK ||
            state === S_NUM_EXP_SIGN) {
            return 'incomplete number at end of input';
        }
        if (state === S_LITERAL)
            return `incomplete literal '${LITERAL_TEXT[this.literal]}' at end of input`;
        if (this.depth > 0) {
            const kind = this.stack[this.depth - 1] === OBJECT ? 'object' : 'array';
            return `unterminated ${kind} at end of input`;
        }
        return 'no JSON value in input';
    }
    /**
     * Keeps the start of a captured token that continues in the next chunk (tapped too, the tap's
     * larger limit applies: a value it reads must reach it whole).
     */
    hold(part, tapping) {
        if (this.heldOverflow)
            return;
        // The limit counts the opening quote too.
        if (!tapping && this.heldText.length + part.length > CAPTURE_LIMIT + 1) {
            // Too long to be what the extraction looks for: drop it (see CAPTURE_LIMIT).
            this.heldOverflow = true;
            // Stryker disable next-line StringLiteral: once overflowed nothing is appended, and tokenText drops it
            this.heldText = '';
            return;
        }
        this.heldText += part;
    }
    /** The tap gets no more of the value it selected: it would hold too much. Returns false. */
    abandonTap(capturing) {
        // Stryker disable next-line BooleanLiteral: update writes its local tapping (this call's false) back at the end
        this.tapping = false;
        this.spanDepth = 0;
        this.spanHeld = '';
        // What is held for the tap alone goes; a capture of that length would have overflowed.
        if (capturing)
            this.heldOverflow = true;
        this.heldText = '';
        this.tap.abandon(`a value longer than ${MAX_TAPPED_TOKEN} bytes`);
        return false;
    }
    /** The current token's text; undefined when it overflowed while held. */
    tokenText(bytes, text, from, to, held) {
        const part = this.slice(bytes, text, from, to);
        if (!held)
            return part;
        const whole = this.heldOverflow ? undefined : this.heldText + part;
        this.heldText = '';
        this.heldOverflow = false;
        return whole;
    }
    slice(bytes, text, from, to) {
        return text !== undefined ? text.slice(from, to) : bytes.toString('latin1', from, to);
    }
    /**
     * A container closed inside the tapped value, its closing bracket just before `i`; false when
     * that completed the value.
     */
    tapClose(depth, source, i) {
        if (this.spanDepth !== depth + 1)
            this.tap.close(undefined, 0, 0);
        else if (this.spanHeld === '') {
            this.spanDepth = 0;
            this.tap.close(source, this.spanFrom, i);
        }
        else {
            const json = this.spanHeld + source.text.slice(0, i);
            this.spanHeld = '';
            this.spanDepth = 0;
            this.tap.close(joinedSource(json), 0, json.length);
        }
        return depth === 1 ? this.endTap() : true;
    }
    endTap() {
        this.tapping = false;
        this.tap.end();
        return false;
    }
    /**
     * A captured string closed: either the timePeriodId value itself, or a key that may give the
     * next value a role (or start the tap). Returns that role.
     */
    endCapture(raw, isKey, depth) {
        // Quotes aside, as the limit is documented.
        const text = raw !== undefined && raw.length - 2 <= CAPTURE_LIMIT ? decodeJsonString(raw) : undefined;
        if (!isKey) {
            this.timePeriodId = text;
            return ROLE_NONE;
        }
        if (text === undefined)
            return ROLE_NONE;
        // A repeated key replaces the earlier value, as in JSON.parse; hence the resets.
        if (depth === 1) {
            if (this.tap?.select(text))
                this.tapping = true;
            if (text !== TIME_PERIODS_KEY)
                return ROLE_NONE;
            this.timePeriodId = undefined;
            return ROLE_TIME_PERIODS;
        }
        if (depth === 3 && text === TIME_PERIOD_ID_KEY) {
            this.timePeriodId = undefined;
            return ROLE_PERIOD_ID;
        }
        return ROLE_NONE;
    }
}

;// CONCATENATED MODULE: ./src/base/error-message.ts
/** What to show of anything thrown: an Error's message, or the value itself as text. */
function error_message_errorMessage(error) {
    return error instanceof Error ? error.message : String(error);
}

;// CONCATENATED MODULE: ./src/engine/tables/tables-error.ts
/** The tables of one payload could not be written; the payload itself is unaffected. */
class TablesError extends Error {
    reason;
    table;
    name = 'TablesError';
    constructor(reason, 
    /** The table being read or written, when the problem is in one. */
    table) {
        super(`tables: ${reason}`);
        this.reason = reason;
        this.table = table;
    }
    /** A failure outside the tables' own checks (the disk, the worker), with its cause. */
    static unwritten(cause) {
        return new TablesError(`could not write the table files (${cause})`);
    }
}

;// CONCATENATED MODULE: external "node:buffer"
const external_node_buffer_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");
;// CONCATENATED MODULE: ./src/engine/tables/binary-text.ts


// Table text is kept as "binary" strings, one char per byte (latin1): the payload's UTF-8 goes to
// the table files untouched, never decoded and encoded again, and slicing it is cheap.
const toBinary = (text) => Buffer.from(text, 'utf8').toString('latin1');
const fromBinary = (binary) => Buffer.from(binary, 'latin1').toString('utf8');
/** Binary text given as its bytes, as a string. */
const binaryOf = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
/**
 * Binary text copied into a string of its own. A slice of a string keeps the whole of it alive in
 * V8, so a value kept past its chunk (a key numbered for the whole payload) is copied first, or
 * every chunk that held a new key would stay in memory.
 */
const ownCopy = (binary) => Buffer.from(binary, 'latin1').toString('latin1');
/** What a string token (its JSON text, quotes included) means, as binary text. */
function decodeToBinary(json) {
    // Stryker disable next-line StringLiteral: decoding a sound token without a backslash gives back its bytes between the quotes; the slice only saves the decoding
    return json.indexOf('\\') === -1 ? json.slice(1, -1) : toBinary(decodeJsonString(json));
}
// eslint-disable-next-line no-control-regex
const JSON_ESCAPED = /["\\\u0000-\u001f]/;
const CSV_QUOTED = /[",\r\n]/;
const QUOTES = /"/g;
/** A JSON string literal of binary text. */
function jsonString(binary) {
    return JSON_ESCAPED.test(binary) ? toBinary(JSON.stringify(fromBinary(binary))) : `"${binary}"`;
}
/**
 * An RFC 4180 field of binary text: quoted when it holds a comma, a quote or a line break, and
 * when it is empty, so that an empty string stays distinct from a missing value (an empty field).
 */
function csvField(binary) {
    if (binary === '')
        return '""';
    return CSV_QUOTED.test(binary) ? `"${binary.replace(QUOTES, '""')}"` : binary;
}
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/**
 * A string token (binary JSON text) whose bytes are not UTF-8, or that escapes half a surrogate
 * pair, written again with U+FFFD in each bad place, so that every loader reads the tables
 * (DuckDB refuses a whole file for one such string); undefined when the token is sound. Only
 * tokens the tokenizer flagged (bytes beyond ASCII, `\u` escapes) need asking.
 */
function repairedString(json, bytes, from) {
    const sound = (0,external_node_buffer_namespaceObject.isUtf8)(bytes.subarray(from, from + json.length));
    // Decoding puts U+FFFD where the bytes are not UTF-8.
    const text = decodeJsonString(json);
    LONE_SURROGATE.lastIndex = 0;
    if (sound && !LONE_SURROGATE.test(text))
        return undefined;
    return toBinary(JSON.stringify(text.replace(LONE_SURROGATE, '\ufffd')));
}

;// CONCATENATED MODULE: ./src/engine/tables/pending-bytes.ts

/** Rows gathered for one write: fewer, larger writes cost less per byte than one per chunk. */
const WRITE_BYTES = 256 * 1024;
/** Writes each table's pending bytes once they are `least` or more (at least 1: all there are). */
async function writePending(out, write, least) {
    for (const [table, bytes] of out) {
        if (bytes.length >= least)
            await write(table, bytes.take());
    }
}
/**
 * Bytes of finished rows, in two buffers taken in turn: what one take hands over stays untouched
 * until the take after next, long enough for its write (a TableFile has one write in flight).
 * Rows go in piece by piece: no row string is built (and then copied), which keeps the garbage,
 * and so the process's memory, low.
 */
class PendingBytes {
    buffer;
    /** Made at the first take: bytes only ever cleared (a Parquet column's) need one buffer. */
    other;
    length = 0;
    /** `size`: the first buffer's; it grows as the bytes need. */
    // Stryker disable next-line ArithmeticOperator: the first size only sets when the buffer grows; the bytes are the same
    constructor(size = 64 * 1024) {
        this.buffer = Buffer.allocUnsafe(size);
    }
    /** Binary text (one char per byte). */
    text(binary) {
        const length = binary.length;
        // Short text: a loop beats the call into the native write.
        // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only: both ways write the same bytes
        if (length > 64) {
            this.reserve(length);
            this.length += this.buffer.write(binary, this.length, 'latin1');
        }
        else
            this.slice(binary, 0, length);
    }
    /**
     * Binary text as a JSON string literal: copied as it is when nothing in it needs escaping (the
     * rule), else escaped by JSON.stringify.
     */
    jsonString(binary) {
        const length = binary.length;
        this.reserve(length + 2);
        const buffer = this.buffer;
        const start = this.length;
        buffer[start] = 0x22;
        // Long text (a computed key, often a cons string): one native copy, then a look at the bytes.
        // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only: both ways copy the same bytes
        if (length > 16)
            buffer.write(binary, start + 1, length, 'latin1');
        else
            for (let i = 0; i < length; i++)
                buffer[start + 1 + i] = binary.charCodeAt(i);
        const end = start + 1 + length;
        // Stryker disable next-line ArithmeticOperator,UpdateOperator: reaching the opening quote sends all text to jsonString, which writes text needing no escape as it is
        for (let at = start + 1; at < end; at++) {
            const c = buffer[at];
            if (c < 0x20 || c === 0x22 || c === 0x5c) {
                this.text(jsonString(binary));
                return;
            }
        }
        buffer[end] = 0x22;
        this.length = end + 1;
    }
    byte(byte) {
        this.reserve(1);
        this.buffer[this.length++] = byte;
    }
    /** Part of binary text, copied char by char: cheaper than slicing it for short parts. */
    slice(binary, from, to) {
        // Stryker disable next-line ArithmeticOperator: reserving more only grows the buffer sooner
        this.reserve(to - from);
        const buffer = this.buffer;
        let at = this.length;
        for (let i = from; i < to; i++)
            buffer[at++] = binary.charCodeAt(i);
        this.length = at;
    }
    bytes(bytes, from, to) {
        // Stryker disable next-line ArithmeticOperator: reserving more only grows the buffer sooner
        this.reserve(to - from);
        // A plain view: Buffer's subarray costs a Buffer (its species) each time.
        // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: speed only: the view and the loop copy the same bytes
        if (to - from > 64)
            this.buffer.set(new Uint8Array(bytes.buffer, bytes.byteOffset + from, to - from), this.length);
        else {
            // Short runs: a loop beats making a view to copy from.
            const buffer = this.buffer;
            let at = this.length;
            for (let i = from; i < to; i++)
                buffer[at++] = bytes[i];
        }
        this.length += to - from;
    }
    /**
     * Copies bytes of which none is one of `stops` (1 per byte value that cannot be copied as it
     * is; by default the backslash: a JSON string's bytes that need no decoding) and returns true;
     * returns false, with nothing added, at the first that is. One pass both checks and copies.
     */
    plainBytes(bytes, from, to, stops = pending_bytes_BACKSLASH) {
        // Stryker disable next-line ArithmeticOperator: reserving more only grows the buffer sooner
        this.reserve(to - from);
        const buffer = this.buffer;
        let at = this.length;
        for (let i = from; i < to; i++) {
            const c = bytes[i];
            if (stops[c] === 1)
                return false;
            buffer[at++] = c;
        }
        this.length = at;
        return true;
    }
    /** Binary text, given as its bytes, as a JSON string literal (see jsonString). */
    jsonBytes(bytes) {
        const start = this.length;
        this.byte(0x22);
        if (this.plainBytes(bytes, 0, bytes.length, pending_bytes_JSON_ESCAPED))
            this.byte(0x22);
        else {
            this.length = start;
            this.text(jsonString(binaryOf(bytes)));
        }
    }
    /** Four bytes, little-endian. */
    uint32(value) {
        this.reserve(4);
        const buffer = this.buffer;
        const at = this.length;
        buffer[at] = value;
        buffer[at + 1] = value >>> 8;
        buffer[at + 2] = value >>> 16;
        buffer[at + 3] = value >>> 24;
        this.length = at + 4;
    }
    float64(value) {
        this.reserve(8);
        FLOAT[0] = value;
        const buffer = this.buffer;
        const at = this.length;
        for (let i = 0; i < 8; i++)
            buffer[at + i] = FLOAT_BYTES[i];
        this.length = at + 8;
    }
    /** A whole number of at most 2^53 in magnitude, as a little-endian int64. */
    int64(value) {
        const high = Math.floor(value / 0x1_0000_0000);
        this.uint32(value - high * 0x1_0000_0000);
        this.uint32(high);
    }
    reserve(length) {
        if (this.length + length <= this.buffer.length)
            return;
        const larger = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.length + length));
        this.buffer.copy(larger, 0, 0, this.length);
        this.buffer = larger;
    }
    /** The bytes so far, valid until more are added or the buffer is cleared. */
    contents() {
        return this.buffer.subarray(0, this.length);
    }
    clear() {
        this.length = 0;
    }
    /** The bytes so far; they stay as they are until the take after next. */
    take() {
        const bytes = this.buffer.subarray(0, this.length);
        if (this.length > 0) {
            const other = this.other ?? Buffer.allocUnsafe(this.buffer.length);
            this.other = this.buffer;
            this.buffer = other;
        }
        this.length = 0;
        return bytes;
    }
}
/** Byte sets for plainBytes: 1 for the bytes in the set. */
function byteSet(bytes) {
    const set = new Uint8Array(256);
    for (const b of bytes)
        set[b] = 1;
    return set;
}
const pending_bytes_BACKSLASH = byteSet([0x5c]);
/** What a JSON string literal escapes: the quote, the backslash and control characters. */
const pending_bytes_JSON_ESCAPED = byteSet([0x22, 0x5c, ...Array.from({ length: 0x20 }, (_, c) => c)]);
// Where a double becomes its eight bytes (little-endian, as every platform Node runs on).
const FLOAT = new Float64Array(1);
const FLOAT_BYTES = new Uint8Array(FLOAT.buffer);

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_namespaceObject);
;// CONCATENATED MODULE: ./src/engine/temp-file.ts


/**
 * A fresh, unguessable name beside `fileName` in `dir` for writing before the rename. Callers
 * open it exclusively ('wx'), so a file or symlink planted at that name is never written
 * through; the rename then replaces whatever is at the final name, a symlink included, without
 * following it.
 */
function tempPathFor(dir, fileName) {
    return external_node_path_default().join(dir, `.${fileName}.${(0,external_node_crypto_namespaceObject.randomBytes)(6).toString('hex')}.partial`);
}

;// CONCATENATED MODULE: ./src/engine/tables/table-file.ts




/**
 * A file that appears under its name only when complete. It is written under a random temporary
 * name in the same folder, created exclusively ('wx': O_CREAT | O_EXCL, which never follows a
 * symlink nor reuses a file someone left there), hashed as it is written, then renamed.
 */
class table_file_TableFile {
    target;
    temporary;
    handle;
    hash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    writing = Promise.resolve();
    constructor(target, temporary, handle) {
        this.target = target;
        this.temporary = temporary;
        this.handle = handle;
    }
    static async create(target) {
        const temporary = tempPathFor(external_node_path_default().dirname(target), external_node_path_default().basename(target));
        return new table_file_TableFile(target, temporary, await (0,promises_namespaceObject.open)(temporary, 'wx', 0o644));
    }
    /**
     * Appends `bytes` (which must not change afterwards) once the earlier writes are done. Resolves
     * when only this write is still in flight, so the caller can make the next bytes meanwhile.
     */
    async write(bytes) {
        this.hash.update(bytes);
        await this.writing;
        this.writing = this.writeAll(bytes);
        // A failure surfaces at the next write or at commit.
        this.writing.catch(() => { });
    }
    /** Appends `bytes` and resolves once they are written: then they may change. */
    async writeWhole(bytes) {
        await this.write(bytes);
        await this.writing;
    }
    async writeAll(bytes) {
        for (let offset = 0; offset < bytes.length;) {
            offset += (await this.handle.write(bytes, offset)).bytesWritten;
        }
    }
    /** Closes the file and gives it its name; returns its sha256. */
    async commit() {
        await this.writing;
        await this.handle.close();
        await (0,promises_namespaceObject.rename)(this.temporary, this.target);
        return this.hash.digest('hex');
    }
    /** Closes and removes the temporary file; never throws. */
    async discard() {
        await this.writing.catch(() => { });
        await this.handle.close().catch(() => { });
        // A temporary already gone is fine: the catch takes its ENOENT as any other failure.
        await (0,promises_namespaceObject.rm)(this.temporary).catch(() => { });
    }
}

;// CONCATENATED MODULE: ./src/engine/tables/table-files-host.ts



/*
 * The tables worker's files are written, and hashed, on the main thread. The worker is the
 * tables' critical path (it tokenizes the payload and makes every row) while the main thread,
 * which only downloads, waits on the socket most of the time: each table byte's sha256 (1 to 2
 * GB of table bytes per GiB of payload in CSV and NDJSON) and the writes' bookkeeping are moved
 * to the thread with time to spare. RemoteTableFiles is the worker's end, TableFilesHost the main
 * thread's; worker-messages.ts has the messages between them.
 */
// Table bytes sent to the main thread and not yet written: the worker waits beyond this, so
// memory stays bounded however far the writes fall behind.
const MAX_BYTES_IN_FLIGHT = 2 * 1024 * 1024;
// A write is WRITE_BYTES or more, plus what one piece of the payload added: most fit in this.
const BUFFER_BYTES = 2 * WRITE_BYTES;
const MAX_SPARE_BUFFERS = 8;
/**
 * The worker's end: table files whose every operation is a request to the main thread. A write's
 * bytes are copied into a buffer that is transferred there and back (no garbage per write) and
 * the write resolves at once while less than MAX_BYTES_IN_FLIGHT is unwritten. A write that
 * failed fails the file's next write or its commit, as a TableFile's does.
 */
class RemoteTableFiles {
    post;
    lastFile = 0;
    lastId = 0;
    answers = new Map();
    failures = new Map();
    spare = [];
    inFlight = 0;
    waiting = [];
    constructor(post) {
        this.post = post;
    }
    open = async (target) => {
        const file = ++this.lastFile;
        await this.ask({ file, op: 'open', target });
        return {
            write: bytes => this.write(file, bytes),
            commit: async () => (await this.ask({ file, op: 'commit' })).sha256,
            discard: () => this.ask({ file, op: 'discard' }).then(() => { }, () => { })
        };
    };
    /** An answer from the main thread. */
    received(answer) {
        const resolve = this.answers.get(answer.id);
        this.answers.delete(answer.id);
        resolve?.(answer);
    }
    async write(file, bytes) {
        const failure = this.failures.get(file);
        if (failure !== undefined)
            throw new Error(failure);
        const { length } = bytes;
        const copy = new Uint8Array(this.bufferFor(length), 0, length);
        copy.set(bytes);
        this.inFlight += length;
        // The copy is transferred: from here on its view is empty.
        this.request({ file, op: 'write', bytes: copy }, [copy.buffer]).then(answer => {
            this.inFlight -= length;
            if (answer.failure !== undefined)
                this.failures.set(file, answer.failure);
            if (this.spare.length < MAX_SPARE_BUFFERS)
                this.spare.push(answer.bytes.buffer);
            for (const wake of this.waiting.splice(0))
                wake();
        });
        while (this.inFlight > MAX_BYTES_IN_FLIGHT) {
            await new Promise(resolve => this.waiting.push(resolve));
        }
    }
    bufferFor(length) {
        const at = this.spare.findIndex(buffer => buffer.byteLength >= length);
        if (at !== -1)
            return this.spare.splice(at, 1)[0];
        return new ArrayBuffer(Math.max(length, BUFFER_BYTES));
    }
    /** Asks the main thread; rejects with its failure. */
    async ask(request) {
        const answer = await this.request(request);
        if (answer.failure !== undefined)
            throw new Error(answer.failure);
        return answer;
    }
    request(request, transfer) {
        const id = ++this.lastId;
        return new Promise(resolve => {
            this.answers.set(id, resolve);
            this.post({ type: 'file', id, ...request }, transfer);
        });
    }
}
/**
 * The main thread's end: the worker's table files, each a TableFile whose operations run one
 * after another in the order asked. A write is answered once its bytes are on their way to the
 * disk, with them: the worker then reuses their buffer.
 */
class TableFilesHost {
    answer;
    files = new Map();
    closed = false;
    constructor(answer) {
        this.answer = answer;
    }
    serve(request) {
        let entry = this.files.get(request.file);
        if (entry === undefined)
            this.files.set(request.file, (entry = { queue: Promise.resolve() }));
        const done = entry.queue.then(() => this.run(entry, request));
        entry.queue = done.catch(() => { });
        const bytes = request.op === 'write' ? { bytes: request.bytes } : {};
        const transfer = request.op === 'write' ? [request.bytes.buffer] : undefined;
        done.then(sha256 => this.answer({ type: 'file', id: request.id, ...bytes, ...sha256 }, transfer), (error) => this.answer({ type: 'file', id: request.id, ...bytes, failure: errorMessage(error) }, transfer));
    }
    /** Closes and removes every file not committed (the worker is gone); never throws. */
    async discardAll() {
        this.closed = true;
        const entries = [...this.files.values()];
        this.files.clear();
        await Promise.all(entries.map(entry => entry.queue.then(() => entry.file?.discard())));
    }
    async run(entry, request) {
        if (this.closed)
            throw new Error('the tables worker was ended');
        if (request.op === 'open')
            entry.file = await TableFile.create(request.target);
        else if (request.op === 'write') {
            const { bytes } = request;
            await entry.file.writeWhole(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
        }
        else if (request.op === 'commit') {
            const sha256 = await entry.file.commit();
            this.files.delete(request.file);
            return { sha256 };
        }
        else {
            this.files.delete(request.file);
            await entry.file?.discard();
        }
        return {};
    }
}

;// CONCATENATED MODULE: ./src/engine/table-layout.ts

/**
 * How tables are written: one JSON object per line, RFC 4180 CSV with a header row, or Parquet
 * with typed columns.
 */
const TABLE_FORMATS = (/* unused pure expression or super */ null && (['ndjson', 'csv', 'parquet']));
const TABLE_NAMES = ['entries', 'users', 'fields', 'time_periods', 'time_frames'];
/** The payload's top-level list behind each table (docs/clari-api.md#results). */
const TABLE_LISTS = {
    entries: 'entries',
    users: 'users',
    fields: 'fields',
    time_periods: 'timePeriods',
    time_frames: 'timeFrames'
};
const TABLES_DIR = 'tables';
/**
 * `tables/<table>/snapshot_date=<YYYY-MM-DD>/<forecast-id>_<period>_<job-id>.<format>`: one folder
 * per table, so `tables/entries/*\/*.ndjson` loads every snapshot of a table at once; a Hive-style
 * partition per day, which DuckDB, BigQuery and Snowflake read as a `snapshot_date` column; and a
 * name unique per snapshot, so a copy into a bucket never replaces an earlier night's file.
 */
function tableFileName(table, forecastId, period, snapshot, format) {
    return external_node_path_default().posix.join(TABLES_DIR, table, `snapshot_date=${snapshot.snapshotAt.slice(0, 10)}`, `${forecastId}_${period}_${snapshot.jobId}.${format}`);
}

;// CONCATENATED MODULE: ./src/engine/tables/derived-columns.ts
/** Erases a column's lookup type, so columns of different lookups share one list. */
const computed = (column) => column;
/** The same in every row of a payload. */
const CONSTANT_COLUMNS = [
    { name: 'forecastId', type: 'string', constant: c => c.forecastId },
    // The period the action asked for (an element's own field of that name is replaced).
    { name: 'exportPeriod', type: 'string', constant: c => c.period },
    { name: 'snapshotAt', type: 'timestamp', constant: c => c.snapshot.snapshotAt },
    { name: 'jobId', type: 'string', constant: c => c.snapshot.jobId }
];
/** `timeFrameId` repeats across quarters, so the key of an entry needs all four. */
const ENTRY_KEY_PARTS = ['timePeriodId', 'timeFrameId', 'userId', 'fieldId'];
const COMPUTED_COLUMNS = [
    // A missing part (or one that is neither a string nor a number) is empty.
    { name: 'entryKey', tables: ['entries'], type: 'string', reads: ENTRY_KEY_PARTS, separator: '|' },
    computed({
        name: 'currencyCode',
        tables: ['entries'],
        type: 'string',
        // Clari's own references say "USD"; another public catalog says {"code", "symbol"}.
        reads: ['currency', ['currency', 'code']],
        value: row => row.string(0) ?? row.string(1)
    })
];
/** The tables a column is in. */
const inTable = (column, table) => column.tables === undefined || column.tables.includes(table);

;// CONCATENATED MODULE: ./src/engine/tables/schema.ts
/**
 * The fields of each list as docs/clari-api.md#results documents them. An element's member of
 * another name, or one whose value does not fit the declared type, is never dropped: NDJSON and
 * CSV keep it as sent, Parquet keeps it in the `extra` JSON column.
 */
const PAYLOAD_FIELDS = {
    entries: [
        { name: 'userId', type: 'string' },
        { name: 'fieldId', type: 'string' },
        { name: 'timePeriodId', type: 'string' },
        { name: 'timeFrameId', type: 'string' },
        { name: 'forecastValue', type: 'double' },
        { name: 'quotaValue', type: 'double' },
        // A string ("USD") or an object ({"code", "symbol"}): both are documented somewhere.
        { name: 'currency', type: 'json' },
        { name: 'isUpdated', type: 'boolean' },
        { name: 'updatedBy', type: 'string' },
        { name: 'updatedOn', type: 'timestamp' }
    ],
    users: [
        { name: 'userId', type: 'string' },
        { name: 'crmId', type: 'string' },
        { name: 'email', type: 'string' },
        { name: 'name', type: 'string' },
        { name: 'hierarchyId', type: 'string' },
        { name: 'hierarchyName', type: 'string' },
        { name: 'parentHierarchyId', type: 'string' },
        { name: 'parentHierarchyName', type: 'string' },
        { name: 'scopeId', type: 'string' }
    ],
    fields: [
        { name: 'fieldId', type: 'string' },
        { name: 'fieldName', type: 'string' },
        { name: 'fieldType', type: 'string' }
    ],
    time_periods: [
        { name: 'timePeriodId', type: 'string' },
        { name: 'startDate', type: 'string' },
        { name: 'endDate', type: 'string' },
        { name: 'label', type: 'string' },
        { name: 'year', type: 'int64' },
        { name: 'crmId', type: 'string' },
        { name: 'type', type: 'string' }
    ],
    time_frames: [
        { name: 'timeFrameId', type: 'string' },
        { name: 'startDate', type: 'string' },
        { name: 'endDate', type: 'string' }
    ]
};

;// CONCATENATED MODULE: ./src/engine/tables/row-engine.ts






/** Limits that keep memory bounded whatever the payload holds. */
const MAX_COLUMNS = 10_000;
const MAX_ROW_BYTES = 16 * 1024 * 1024;
// Key positions remembered per table (see TableRows.seenRaw).
const KEY_CACHE = 256;
const TABLE_OF_LIST = new Map(TABLE_NAMES.map(table => [TABLE_LISTS[table], table]));
/**
 * One list's rows: its columns (the union of its elements' members, declared fields first), the
 * element being read, and what the action adds to each row.
 */
class TableRows {
    name;
    onLeaf;
    rows = 0;
    columns = [];
    /** The columns CSV writes, in the order they became such: declared fields first. */
    leaves = [];
    /** Column names CSV uses, to keep them unique. */
    names = new Set();
    /** The CSV names that had to take a suffix: "name → name_2". */
    renamed = [];
    top = new Map();
    /** No more columns: a later pass must find the same ones. */
    frozen = false;
    /**
     * Per column: the element that last set it, and where its value's JSON text is (in the chunk it
     * was read from, kept until the row is written).
     */
    stamps = [];
    sources = [];
    froms = [];
    tos = [];
    /** The top-level columns the current element set, in its order (NDJSON keeps it). */
    order = [];
    orderLength = 0;
    constants;
    computing;
    /** The computed columns' values for the current element. */
    values;
    // The keys met at each position of the elements so far. Elements of a list mostly share one
    // shape, so a key is mostly recognised by comparing its bytes, without slicing, decoding or
    // hashing it.
    seenRaw = [];
    seenParent = [];
    seenColumn = [];
    constructor(name, columns, 
    /** Told when a column becomes a CSV column (see Column.leaf). */
    onLeaf) {
        this.name = name;
        this.onLeaf = onLeaf;
        // Stryker disable next-line MethodExpression: no constant column names its tables, so each is in every table
        this.constants = CONSTANT_COLUMNS.filter(c => inTable(c, name));
        const computed = columns.filter(c => inTable(c, name));
        for (const { name: own } of [...this.constants, ...computed]) {
            this.columns[this.member(-1, own)].ours = true;
            this.names.add(own);
        }
        for (const field of PAYLOAD_FIELDS[name]) {
            const column = this.member(-1, field.name);
            this.columns[column].declared = field;
            this.makeLeaf(column);
        }
        this.computing = computed.map(column => ({
            column,
            reads: this.resolve(column.reads),
            lookup: 'value' in column ? column.lookup?.start() : undefined,
            joined: 'separator' in column
                ? { separator: column.separator, bytes: new PendingBytes(256) }
                : undefined
        }));
        this.values = computed.map(() => undefined);
    }
    /** The columns of these members (made now, so that reading them costs no lookup by name). */
    resolve(paths) {
        return paths.map(path => [path].flat().reduce((parent, key) => this.member(parent, key), -1));
    }
    /** The column of member `key` of `parent` (-1: of the element), made when new. */
    member(parent, key) {
        const siblings = parent === -1 ? this.top : (this.columns[parent].children ??= new Map());
        const known = siblings.get(key);
        if (known !== undefined)
            return known;
        if (this.frozen) {
            throw new TablesError('the payload changed while its tables were being written', this.name);
        }
        if (this.columns.length === MAX_COLUMNS) {
            throw new TablesError(`${this.name} has more than ${MAX_COLUMNS} distinct columns`, this.name);
        }
        const column = this.columns.length;
        siblings.set(key, column);
        const path = parent === -1 ? key : `${this.columns[parent].name}.${key}`;
        this.columns.push({
            key,
            jsonKey: jsonString(key),
            name: this.uniqueName(path),
            parent,
            leaf: false,
            ours: false
        });
        this.stamps.push(0);
        this.sources.push(NO_SOURCE);
        this.froms.push(0);
        this.tos.push(0);
        return column;
    }
    /** `{"a.b": 1, "a": {"b": 2}}` flattens to `a.b` twice in CSV: the second is `a.b_2`. */
    uniqueName(path) {
        let name = path;
        for (let n = 2; this.names.has(name); n++)
            name = `${path}_${n}`;
        this.names.add(name);
        if (name !== path)
            this.renamed.push(`${path} → ${name}`);
        return name;
    }
    makeLeaf(column) {
        const c = this.columns[column];
        if (c.leaf || c.ours)
            return;
        c.leaf = true;
        this.leaves.push(column);
        this.onLeaf(this, column);
    }
    /**
     * The column's string in the current element (`element`), decoded (binary text); undefined when
     * it has none. One slice when nothing in it is escaped (the rule), not one per step.
     */
    string(column, element) {
        if (this.stamps[column] !== element)
            return undefined;
        const { text } = this.sources[column];
        const from = this.froms[column];
        const to = this.tos[column];
        if (text.charCodeAt(from) !== 0x22)
            return undefined;
        // Stryker disable next-line ArithmeticOperator: the bytes just outside a string token (a delimiter, or none) are never a backslash
        for (let i = from + 1; i < to - 1; i++) {
            // Stryker disable next-line EqualityOperator: speed only: decoding a token without a backslash gives the same slice
            if (text.charCodeAt(i) === 0x5c)
                return decodeToBinary(text.slice(from, to));
        }
        return text.slice(from + 1, to - 1);
    }
    /**
     * Appends the column's string in the current element (`element`) to `out` straight from the
     * payload's bytes, and returns true, when nothing in it is escaped; else adds nothing and
     * returns false (`string` decodes it).
     */
    plainString(column, element, out) {
        // Stryker disable next-line ConditionalExpression,EqualityOperator,BooleanLiteral: speed only: a column the element did not set holds the empty source (reset after each row), which the next check refuses; refused, `text` writes the same bytes; an unset one accepted writes nothing, as `text` does
        if (this.stamps[column] !== element)
            return false;
        const { bytes } = this.sources[column];
        const from = this.froms[column];
        // An assembled value (a repaired string) has no bytes: `bytes[from]` is undefined then.
        if (bytes[from] !== 0x22)
            return false;
        return out.plainBytes(bytes, from + 1, this.tos[column] - 1);
    }
    /** The JSON text of the column's value in the current element (`element`), or undefined. */
    json(column, element) {
        if (this.stamps[column] !== element)
            return undefined;
        return this.sources[column].text.slice(this.froms[column], this.tos[column]);
    }
}
// What a container open inside an element is: flattened into columns, or only copied as text.
const FLAT_OBJECT = 0;
const OPAQUE_OBJECT = 1;
const OPAQUE_LIST = 2;
/**
 * The generic list-to-rows engine: a JsonTap of the streaming check that turns the elements of
 * the payload's five lists into rows, one per element, memory holding one element and the
 * columns, never the list. It knows no format: a RowSink writes the rows.
 *
 * Per element it keeps where each member's value is (nested objects are also flattened into
 * child columns; lists, and objects at the top, are also kept as compact JSON text), computes the
 * declared columns (derived-columns.ts), and hands the element to the sink. A pass without a
 * sink only reads: it feeds the lookups and observers, and learns the columns.
 *
 * It never throws into the tokenizer: the first problem is kept in `failure` and the rest is
 * ignored, so that a download feeding it goes on whatever its tables meet.
 */
class RowEngine {
    context;
    tables;
    /** The first problem met; nothing more is read after it. */
    failure;
    /** Strings (keys or values) written with U+FFFD in the tables (binary-text.ts, repairedString). */
    repairedText = 0;
    /** Told when a column becomes a CSV column. */
    onLeaf;
    sink;
    // Stryker disable BooleanLiteral,UnaryOperator,StringLiteral: initial values, each set again before it is read (by startPass, or when an element or a container opens)
    observing = true;
    observers = [];
    lookups = [];
    listsSeen = new Set();
    view = new ElementView();
    table;
    // Containers open inside the list: 1 inside the list, 2 inside an element, more when nested.
    depth = 0;
    element = 0; // a number unique to the element being read
    elementBytes = 0;
    compactLength = 0; // what the element's tokens take, written compactly
    plain = true;
    column = -1; // of the member whose value comes next
    parent = -1; // the object whose members come next (-1: the element)
    parents = [];
    kinds = []; // of the containers open inside the element
    keyIndex = 0; // of the current key, counting the element's keys that got a column
    // A top-level member's object or list as compact JSON text, and the outermost list open in it.
    copy = '';
    copyColumn = -1;
    opaque = 0; // lists open, and containers inside them (never flattened)
    opaqueFrom = 0;
    opaqueColumn = -1;
    afterValue = false; // a ',' comes before the next key or value
    // Stryker restore BooleanLiteral,UnaryOperator,StringLiteral
    touched = []; // columns the element set
    // A view of the chunk being read, for comparing keys four bytes at a time.
    viewed = NO_SOURCE;
    dataView = new DataView(NO_SOURCE.bytes.buffer);
    constructor(context, 
    /** The computed columns (derived-columns.ts); tests pass their own. */
    columns = COMPUTED_COLUMNS) {
        this.context = context;
        const tables = new Map();
        for (const name of TABLE_NAMES) {
            const onLeaf = (table, column) => this.onLeaf?.(table, column);
            tables.set(name, new TableRows(name, columns, onLeaf));
        }
        this.tables = tables;
        for (const table of tables.values()) {
            for (const { column, lookup: state } of table.computing) {
                const lookup = 'value' in column ? column.lookup : undefined;
                if (!lookup)
                    continue;
                const reads = tables.get(lookup.table).resolve(lookup.reads);
                this.lookups.push({ table: lookup.table, lookup, reads, state });
            }
        }
    }
    /** Whether the rows need a pass over the payload that feeds the lookups first. */
    get needsLookups() {
        return this.lookups.length > 0;
    }
    addObserver(observer) {
        this.observers.push(observer);
    }
    /**
     * Starts a pass over the payload. Rows go to `sink`, or nowhere. `observe`: lookups and
     * observers see the elements (once per payload). `freeze`: the columns are known, and a new one
     * means the payload changed.
     */
    startPass(sink, options) {
        this.sink = sink;
        this.observing = options.observe;
        for (const table of this.tables.values()) {
            table.rows = 0;
            table.frozen = options.freeze;
        }
        this.listsSeen.clear();
        this.table = undefined;
    }
    select(key) {
        // Stryker disable next-line ConditionalExpression,BooleanLiteral: speed only: after a failure no table is written, and a list selected without a table has its tokens ignored
        if (this.failure !== undefined)
            return false;
        const name = TABLE_OF_LIST.get(key);
        // Stryker disable next-line BooleanLiteral: speed only: a list selected without a table has its tokens ignored
        if (name === undefined)
            return false;
        if (this.listsSeen.has(name)) {
            this.fail(new TablesError(`the payload has more than one "${key}" list`, name));
            // Stryker disable next-line BooleanLiteral: speed only: the failure left no table, so the list's tokens are ignored
            return false;
        }
        this.listsSeen.add(name);
        this.table = this.tables.get(name);
        this.depth = 0;
        return true;
    }
    // Stryker disable next-line BlockStatement: tokens come only inside a selected list, and the next select sets the table again
    end() {
        this.table = undefined;
    }
    abandon(reason) {
        const table = this.table;
        if (table)
            this.fail(new TablesError(`"${TABLE_LISTS[table.name]}" holds ${reason}`, table.name));
    }
    open(isArray) {
        const table = this.table;
        // Stryker disable next-line BooleanLiteral: memory only: a container's text asked for without a table is ignored by close (and abandoned past the tokenizer's bound)
        if (table === undefined)
            return false;
        try {
            return this.opened(table, isArray);
        }
        catch (error) {
            this.fail(error);
            // Stryker disable next-line BooleanLiteral: memory only: the failure left no table, so close ignores the text asked for
            return false;
        }
    }
    close(span, from, to) {
        const table = this.table;
        if (table === undefined)
            return;
        try {
            this.closed(table, span, from, to);
        }
        catch (error) {
            this.fail(error);
        }
    }
    key(source, from, to, flags) {
        const table = this.table;
        if (table === undefined)
            return;
        try {
            this.keyed(table, source, from, to, flags);
        }
        catch (error) {
            this.fail(error);
        }
    }
    value(source, from, to, flags) {
        const table = this.table;
        if (table === undefined)
            return;
        try {
            this.valued(table, source, from, to, flags);
        }
        catch (error) {
            this.fail(error);
        }
    }
    /** The element being read keeps its values of this chunk by their text (see JsonTap.chunkEnd). */
    chunkEnd() {
        const table = this.table;
        if (table === undefined)
            return;
        const { touched } = this;
        const { sources } = table;
        for (let i = 0; i < touched.length; i++) {
            const source = sources[touched[i]];
            if (source.bytes.length > 0)
                sources[touched[i]] = textSource(source.text);
        }
    }
    fail(error) {
        this.failure ??= error;
        this.table = undefined;
    }
    opened(table, isArray) {
        const depth = this.depth;
        if (depth >= 2) {
            this.count(1);
            if (depth === 2) {
                this.copy = '';
                this.copyColumn = this.column;
            }
            this.copyText(isArray ? '[' : '{');
            this.afterValue = false;
            this.depth++;
            const ours = depth === 2 && table.columns[this.column].ours;
            if (this.opaque > 0 || isArray || ours) {
                if (this.opaque++ === 0) {
                    this.opaqueFrom = this.copy.length - 1;
                    this.opaqueColumn = this.column;
                }
                this.kinds.push(isArray ? OPAQUE_LIST : OPAQUE_OBJECT);
                return false;
            }
            // An object: its members become columns of their own.
            this.kinds.push(FLAT_OBJECT);
            this.parents.push(this.parent);
            this.parent = this.column;
            return false;
        }
        this.afterValue = false;
        if (depth === 0 && !isArray)
            throw this.notAList(table, 'an object');
        if (depth === 1) {
            if (isArray)
                throw this.notAnObject(table, 'a list');
            // Stryker disable next-line UpdateOperator: counting down, the numbers stay unique and never 0 (a column's initial stamp)
            this.element++;
            this.elementBytes = 0;
            this.compactLength = 2;
            this.plain = true;
            // Stryker disable next-line UnaryOperator: speed only: the key cache's positions start at 2 instead, as consistently
            this.keyIndex = -1;
            this.parent = -1;
            table.orderLength = 0;
        }
        this.depth++;
        // An element's text also tells which chunk its values' bytes are still in.
        return this.depth === 2 && this.sink?.wantsSpan === true;
    }
    closed(table, span, from, to) {
        this.depth--;
        if (this.depth >= 2) {
            this.compactLength++;
            this.afterValue = true;
            const kind = this.kinds.pop();
            this.copy += kind === OPAQUE_LIST ? ']' : '}';
            if (kind === FLAT_OBJECT)
                this.parent = this.parents.pop();
            else if (--this.opaque === 0 && this.depth > 2) {
                this.setText(table, this.opaqueColumn, this.copy.slice(this.opaqueFrom), true);
            }
            // A top-level object is a value too (its text), but not a CSV column: its members are.
            if (this.depth === 2)
                this.setText(table, this.copyColumn, this.copy, kind !== FLAT_OBJECT);
        }
        else if (this.depth === 1)
            this.finishRow(table, span, from, to);
    }
    keyed(table, source, from, to, flags) {
        this.count(to - from + 1);
        // The key's text is made only where it is needed: most keys are recognised by their bytes.
        let json;
        let repaired;
        // Stryker disable next-line ConditionalExpression: speed only: repairedString finds nothing to repair in a key the tokenizer did not flag
        if (flags !== 0) {
            json = source.text.slice(from, to);
            repaired = repairedString(json, source.bytes, from);
            if (repaired !== undefined) {
                json = repaired;
                this.repaired();
            }
        }
        if (this.depth > 2)
            this.copyText(`${json ?? source.text.slice(from, to)}:`);
        this.afterValue = false;
        if (this.opaque > 0)
            return;
        // Stryker disable next-line UpdateOperator: speed and memory only: negative positions key the cache as consistently, past its bound
        const at = ++this.keyIndex;
        // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,BlockStatement: speed only: a repaired key or one past the cache is never stored, so it misses anyway, and a miss looks the key up by name
        if (repaired === undefined && at < KEY_CACHE) {
            const seen = table.seenRaw[at];
            if (source !== this.viewed) {
                const { bytes } = source;
                this.dataView = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
                this.viewed = source;
            }
            if (seen !== undefined &&
                table.seenParent[at] === this.parent &&
                seen.matches(this.dataView, source.bytes, from, to)) {
                this.column = table.seenColumn[at];
                return;
            }
        }
        this.column = table.member(this.parent, decodeToBinary(json ?? source.text.slice(from, to)));
        // Stryker disable next-line LogicalOperator: memory only: a repaired key or one past the cache is stored but never looked for
        if (repaired === undefined && at < KEY_CACHE) {
            table.seenRaw[at] = new KeyBytes(new Uint8Array(source.bytes.subarray(from, to)));
            table.seenParent[at] = this.parent;
            table.seenColumn[at] = this.column;
        }
    }
    valued(table, source, from, to, flags) {
        if (this.depth <= 1) {
            const json = source.text.slice(from, to);
            // A null list is an empty one.
            if (this.depth === 0 && json === 'null')
                return;
            throw this.depth === 0
                ? this.notAList(table, describeScalar(json))
                : this.notAnObject(table, describeScalar(json));
        }
        this.count(to - from);
        // Stryker disable next-line ConditionalExpression: speed only: repairedString finds nothing to repair in a value the tokenizer did not flag
        if (flags !== 0) {
            const repaired = repairedString(source.text.slice(from, to), source.bytes, from);
            if (repaired !== undefined) {
                source = textSource(repaired);
                from = 0;
                to = repaired.length;
                this.repaired();
            }
        }
        if (this.depth > 2)
            this.copyText(source.text.slice(from, to));
        this.afterValue = true;
        if (this.opaque === 0)
            this.set(table, this.column, source, from, to, true);
    }
    repaired() {
        this.plain = false;
        if (this.observing)
            this.repairedText++;
    }
    /** Counts a token of the element (and the comma before it) towards its compact length. */
    count(length) {
        this.compactLength += this.afterValue ? length + 1 : length;
    }
    copyText(json) {
        this.copy += this.afterValue ? `,${json}` : json;
        if (this.copy.length > MAX_ROW_BYTES)
            throw this.tooLarge(this.table);
    }
    /** A member's value: the last one wins, in the place of the first (as in JSON.parse). */
    set(table, column, source, from, to, leaf) {
        const c = table.columns[column];
        if (c.ours) {
            this.plain = false;
            return;
        }
        if (leaf && !c.leaf)
            table.makeLeaf(column);
        this.elementBytes += to - from;
        if (this.elementBytes > MAX_ROW_BYTES)
            throw this.tooLarge(table);
        if (table.stamps[column] !== this.element) {
            table.stamps[column] = this.element;
            this.touched.push(column);
            if (c.parent === -1)
                table.order[table.orderLength++] = column;
        }
        else
            this.plain = false;
        table.sources[column] = source;
        table.froms[column] = from;
        table.tos[column] = to;
    }
    setText(table, column, json, leaf) {
        this.set(table, column, textSource(json), 0, json.length, leaf);
    }
    /** The element closed; `span` holds its JSON text when the sink asked for it. */
    finishRow(table, span, from, to) {
        const view = this.view;
        const element = this.element;
        if (this.observing) {
            const { observers, lookups } = this;
            for (let i = 0; i < observers.length; i++)
                observers[i].observe(table, element);
            for (let i = 0; i < lookups.length; i++) {
                const { table: name, lookup, reads, state } = lookups[i];
                if (name === table.name)
                    lookup.add(state, view.of(table, reads, element));
            }
        }
        const sink = this.sink;
        if (sink !== undefined) {
            const { computing, values } = table;
            for (let i = 0; i < computing.length; i++) {
                const c = computing[i];
                const { column } = c;
                const row = view.of(table, c.reads, element);
                values[i] =
                    'value' in column ? column.value(row, c.lookup) : joined(c.joined, c.reads, row, element);
            }
            const asSent = this.plain && to - from === this.compactLength;
            sink.row(table, element, asSent ? span : undefined, from, to);
        }
        table.rows++;
        // Let go of the chunks the values were read from.
        const { touched } = this;
        // Stryker disable next-line ConditionalExpression: memory only: the chunks stay referenced until set again; every read checks the column's stamp first
        for (let i = 0; i < touched.length; i++)
            table.sources[touched[i]] = NO_SOURCE;
        touched.length = 0;
    }
    notAList(table, what) {
        return new TablesError(`"${TABLE_LISTS[table.name]}" is ${what}, not a list`, table.name);
    }
    notAnObject(table, what) {
        return new TablesError(`element ${table.rows} of "${TABLE_LISTS[table.name]}" is ${what}, not an object`, table.name);
    }
    tooLarge(table) {
        return new TablesError(`element ${table.rows} of "${TABLE_LISTS[table.name]}" is larger than ${MAX_ROW_BYTES} bytes`, table.name);
    }
}
/** The current element's members, as a computed column or an observer reads them. */
class ElementView {
    table;
    reads = [];
    element = 0;
    of(table, reads, element) {
        this.table = table;
        this.reads = reads;
        this.element = element;
        return this;
    }
    json(read) {
        return this.table.json(this.reads[read], this.element);
    }
    string(read) {
        return this.table.string(this.reads[read], this.element);
    }
    text(read) {
        const { table, element } = this;
        const column = this.reads[read];
        const string = table.string(column, element);
        if (string !== undefined)
            return string;
        const json = table.json(column, element);
        return json !== undefined && isNumber(json) ? json : undefined;
    }
    number(read) {
        const json = this.json(read);
        return json !== undefined && isNumber(json) ? Number(json) : undefined;
    }
}
/** A JoinedColumn's value: its parts' bytes, a plain string's copied from the payload's. */
function joined({ separator, bytes: out }, reads, row, element) {
    out.clear();
    for (let read = 0; read < reads.length; read++) {
        if (read > 0)
            out.text(separator);
        // Stryker disable next-line ConditionalExpression: speed only: `text` gives the same bytes as a string
        if (row.table.plainString(reads[read], element, out))
            continue;
        const text = row.text(read);
        if (text !== undefined)
            out.text(text);
    }
    return out.contents();
}
// Stryker disable next-line StringLiteral: its text is never read: a column holds it only while its stamp tells it is unset
const NO_SOURCE = { bytes: new Uint8Array(0), text: '' };
/** A value assembled here (a copied container, a repaired string); only its text is read. */
function textSource(text) {
    return { bytes: NO_SOURCE.bytes, text };
}
/** A key's bytes, compared four at a time (keys are mostly recognised, so mostly all of them). */
class KeyBytes {
    bytes;
    words;
    constructor(bytes) {
        this.bytes = bytes;
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
        this.words = Int32Array.from({ length: bytes.length >> 2 }, (_, i) => view.getInt32(4 * i, true));
    }
    /** Whether `bytes[from..to)`, which `view` also shows, are this key's bytes. */
    matches(view, bytes, from, to) {
        const own = this.bytes;
        if (own.length !== to - from)
            return false;
        const words = this.words;
        let i = 0;
        // Stryker disable next-line ConditionalExpression: speed only: the byte loop below then compares every byte
        for (let w = 0; w < words.length; w++, i += 4) {
            if (view.getInt32(from + i, true) !== words[w])
                return false;
        }
        for (; i < own.length; i++)
            if (bytes[from + i] !== own[i])
                return false;
        // Stryker disable next-line BooleanLiteral: speed only: a key never matched is looked up by name, the same column
        return true;
    }
}
// A value's JSON text tells its type by its first character.
const isString = (json) => json.charCodeAt(0) === 0x22;
const isNumber = (json) => {
    const c = json.charCodeAt(0);
    return c === 0x2d || (c >= 0x30 && c <= 0x39);
};
function describeScalar(json) {
    if (isString(json))
        return 'a string';
    if (isNumber(json))
        return 'a number';
    return json === 'null' ? 'null' : 'a boolean';
}

;// CONCATENATED MODULE: ./src/engine/tables/csv-rows.ts



/**
 * CSV rows (RFC 4180, CRLF, UTF-8) under a header of the action's columns, the list's declared
 * fields (schema.ts) and then every other member in the order its first value came, nested
 * objects flattened into `parent.child` columns (a name taken twice gets a suffix), lists (and an
 * object where the column holds other values too) as JSON text.
 *
 * The header is written before the first row, so a column first met after rows were written
 * makes that table's file wrong: it is then left to a pass of its own (`redo`), which reads the
 * payload again with every column known. Clari's lists keep to their declared fields, so one pass
 * is the rule.
 *
 * With `formulaGuard`, a string cell that a spreadsheet would run as a formula (starting with
 * `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's list) gets a leading `'`.
 */
class CsvRows {
    engine;
    formulaGuard;
    only;
    wantsSpan = false;
    redo = new Set();
    out = new Map();
    /** Per table, once its header is written: the columns it has, in order. */
    headers = new Map();
    constants = new Map();
    constructor(engine, formulaGuard, 
    /** The tables this pass writes (a redo pass writes only its own). */
    only) {
        this.engine = engine;
        this.formulaGuard = formulaGuard;
        this.only = only;
        for (const table of engine.tables.values()) {
            this.out.set(table.name, new PendingBytes());
            const values = table.constants.map(c => {
                const value = c.constant(engine.context);
                return typeof value === 'string' ? toBinary(value) : value;
            });
            this.constants.set(table.name, values.map(v => this.cell(v)).join(','));
        }
        engine.onLeaf = (table) => {
            if (this.headers.has(table.name))
                this.redo.add(table.name);
        };
    }
    row(table, element) {
        const name = table.name;
        if (this.redo.has(name) || (this.only && !this.only.has(name)))
            return;
        const out = this.out.get(name);
        const header = this.headers.get(name) ?? this.writeHeader(table, out);
        out.text(this.constants.get(name));
        const { values } = table;
        for (let i = 0; i < values.length; i++) {
            out.byte(0x2c);
            const value = values[i];
            if (!(value instanceof Uint8Array))
                out.text(this.cell(value));
            else if (value.length === 0 || !this.plainField(out, value, 0, value.length)) {
                out.text(this.text(binaryOf(value)));
            }
        }
        const { stamps, sources, froms, tos } = table;
        for (let i = 0; i < header.length; i++) {
            out.byte(0x2c);
            const column = header[i];
            if (stamps[column] !== element)
                continue;
            const source = sources[column];
            const from = froms[column];
            const to = tos[column];
            const { bytes } = source;
            const first = bytes[from];
            // Straight from the chunk when the bytes are the field as they are.
            // Stryker disable next-line BlockStatement: without the fast path, jsonCell writes the very same field
            if (bytes.length > 0) {
                if (first === 0x6e)
                    continue; // null
                // Stryker disable next-line BlockStatement: a string left to jsonCell is decoded and quoted to the very same field
                if (first === 0x22) {
                    if (to - from > 2 && this.plainField(out, bytes, from + 1, to - 1))
                        continue;
                }
                else if (first !== 0x5b && first !== 0x7b) {
                    out.bytes(bytes, from, to); // a number, true or false
                    continue;
                }
            }
            out.text(this.jsonCell(source.text.slice(from, to)));
        }
        out.text('\r\n');
    }
    writeHeader(table, out) {
        const header = [...table.leaves];
        this.headers.set(table.name, header);
        const names = [
            ...table.constants.map(c => c.name),
            ...table.computing.map(c => c.column.name),
            ...header.map(i => table.columns[i].name)
        ];
        out.text(`${names.map(name => this.text(name)).join(',')}\r\n`);
        return header;
    }
    flush(write) {
        return writePending(this.out, write, WRITE_BYTES);
    }
    async finish(write) {
        // A table without rows still gets its header.
        for (const table of this.engine.tables.values()) {
            if (this.only && !this.only.has(table.name))
                continue;
            if (!this.headers.has(table.name))
                this.writeHeader(table, this.out.get(table.name));
        }
        await writePending(this.out, write, 1);
    }
    notes() {
        return [...this.engine.tables.values()].flatMap(t => t.renamed.map(r => `${t.name}: two members flatten to one CSV name (${r})`));
    }
    /**
     * Bytes of binary text (or of a JSON string's contents) as a field, guarded against formulas,
     * when they need neither quoting nor decoding; else adds nothing and returns false.
     */
    plainField(out, bytes, from, to) {
        const start = out.length;
        if (this.formulaGuard && FORMULA_START[bytes[from]] === 1)
            out.byte(0x27);
        if (out.plainBytes(bytes, from, to, PLAIN_FIELD))
            return true;
        out.length = start;
        return false;
    }
    /** A field of binary text, guarded against formulas. */
    text(binary) {
        const guarded = this.formulaGuard && FORMULA_START[binary.charCodeAt(0)] === 1;
        return csvField(guarded ? `'${binary}` : binary);
    }
    cell(value) {
        if (value === undefined)
            return '';
        return typeof value === 'string' ? this.text(value) : String(value);
    }
    /** A field from a value's JSON text: strings decoded, null empty, lists and objects as JSON. */
    jsonCell(json) {
        if (isString(json))
            return this.text(decodeToBinary(json));
        if (json === 'null')
            return '';
        const c = json.charCodeAt(0);
        return c === 0x5b || c === 0x7b ? csvField(json) : json;
    }
}
/** `=`, `+`, `-`, `@`, tab and carriage return start what spreadsheets run as formulas. */
const FORMULA_START = new Uint8Array(256);
for (const c of '=+-@\t\r')
    FORMULA_START[c.charCodeAt(0)] = 1;
/**
 * Bytes that keep a field from being copied as it is: a comma, a quote or a line break needs
 * quoting, and a backslash in a JSON string's bytes starts an escape (rarer in decoded text, which
 * then takes the slower way too).
 */
const PLAIN_FIELD = byteSet([0x2c, 0x22, 0x0d, 0x0a, 0x5c]);

;// CONCATENATED MODULE: ./src/clari/untrusted-text.ts

/**
 * Text that comes from the server (error messages, status values) is untrusted: it may be huge,
 * carry terminal escapes, start a line with `::` and so inject a workflow command, or echo the
 * API key back, whole or in part. Every answer is masked by `withoutSecret` as soon as it is
 * parsed, so a later cut or stringification can never expose part of the key; what the client
 * lets out then passes through `cleanServerText` once, so later code can print it.
 */
const MAX_SERVER_TEXT = 300;
// C0 controls (incl. ESC, CR, LF, TAB), DEL and C1 controls, plus bidi overrides.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g;
/** Any run of this many characters of the key is masked, wherever it appears. */
const SECRET_FRAGMENT_CHARS = 8;
/** Deeper parts of an answer are replaced: no answer we read is legitimately nested this far. */
const untrusted_text_MAX_DEPTH = 32;
const TOO_DEEP = '(nested too deep)';
const UNPRINTABLE = '(unprintable)';
const MASK = '***';
/**
 * The text as one line that cannot move the cursor, recolour a terminal or reorder what a
 * reader sees: each run of control characters or bidi overrides becomes one space.
 */
function withoutControls(text) {
    return text.replace(CONTROL, ' ');
}
/**
 * What anyone may see of an error: its message with the secret masked (whole and in fragments),
 * then cleaned and cut like any server text, since the message may quote the server.
 */
function describeError(error, secret, max = MAX_SERVER_TEXT) {
    return cleanServerText(withoutSecret(errorMessage(error), secret), max);
}
/** Any value as text, never throwing: a structure too deep (or a BigInt) to stringify is named. */
function asText(value) {
    if (typeof value === 'string')
        return value;
    if (value === undefined)
        return '';
    try {
        return JSON.stringify(value) ?? String(value);
    }
    catch {
        return UNPRINTABLE;
    }
}
function cleanServerText(value, max = MAX_SERVER_TEXT) {
    const text = asText(value);
    const flat = withoutControls(text)
        .replace(/:(?=:)/g, ': ')
        .trim();
    return flat.length > max ? `${flat.slice(0, cutPoint(flat, max))}…` : flat;
}
/** Where to cut `text` near `max`: never inside a mask (`***`) or a surrogate pair. */
function cutPoint(text, max) {
    let end = max;
    while (end > 0 && text[end] === '*' && text[end - 1] === '*')
        end--;
    const code = text.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff)
        end--;
    return end;
}
/**
 * A copy of a parsed JSON answer in which every string, object keys included, has the key and
 * every fragment of it of SECRET_FRAGMENT_CHARS or more masked. Parts nested deeper than
 * MAX_DEPTH are replaced by TOO_DEEP, so no later walk over the copy can exhaust the stack.
 */
function withoutSecret(value, secret) {
    const mask = secretMasker(secret);
    const walk = (v, depth) => {
        if (typeof v === 'string')
            return mask(v);
        if (!v || typeof v !== 'object')
            return v;
        if (depth >= untrusted_text_MAX_DEPTH)
            return TOO_DEEP;
        if (Array.isArray(v))
            return v.map(item => walk(item, depth + 1));
        return Object.fromEntries(Object.entries(v).map(([k, item]) => [mask(k), walk(item, depth + 1)]));
    };
    return walk(value, 0);
}
/** Masks the secret, and every run of SECRET_FRAGMENT_CHARS or more of its characters, in text. */
function secretMasker(secret) {
    if (!secret)
        return text => text;
    const fragments = new Set();
    for (let i = 0; i + SECRET_FRAGMENT_CHARS <= secret.length; i++) {
        fragments.add(secret.slice(i, i + SECRET_FRAGMENT_CHARS));
    }
    return text => {
        const whole = text.split(secret).join(MASK);
        // Stryker disable next-line LogicalOperator: a shortcut; with no fragment or a text too short for one, the walk below finds nothing and returns the text as it is
        if (fragments.size === 0 || whole.length < SECRET_FRAGMENT_CHARS)
            return whole;
        // Mark every character covered by a fragment, then replace each marked run once.
        const covered = new Uint8Array(whole.length);
        // Stryker disable next-line BooleanLiteral: a shortcut; with nothing covered, the copy below rebuilds the text unchanged
        let any = false;
        for (const fragment of fragments) {
            for (let at = whole.indexOf(fragment); at >= 0; at = whole.indexOf(fragment, at + 1)) {
                covered.fill(1, at, at + SECRET_FRAGMENT_CHARS);
                any = true;
            }
        }
        if (!any)
            return whole;
        let out = '';
        for (let i = 0; i < whole.length; i++) {
            if (!covered[i])
                out += whole[i];
            else if (i === 0 || !covered[i - 1])
                out += MASK;
        }
        return out;
    };
}

;// CONCATENATED MODULE: ./src/engine/tables/duplicate-keys.ts



// Bits kept to tell keys apart; beyond this the guard stops counting (a hostile payload of
// millions of distinct weeks and users could otherwise take any amount of memory).
const MAX_BITS_BYTES = 32 * 1024 * 1024;
const MAX_DISTINCT = 0xffff;
const EXAMPLES = 3;
/**
 * Counts the entries whose key repeats within one payload: `(timePeriodId, timeFrameId, userId,
 * fieldId)`, as GitLab's dbt model keys them, plus the entry's value type, its first member named
 * `…Value` (`forecastValue`, `quotaValue`): the references document quota entries beside forecast
 * entries in the same list, so one of each for a user, field and week is no duplicate. Rows are
 * kept as sent; the count and the first few keys are reported.
 *
 * Memory stays small: each part is numbered as it is first met, and a key is one bit, in a bit set
 * over user numbers per (period, week, field, type). Clari's entries are a grid of those, so the
 * bits are about one per entry.
 */
class DuplicateKeys {
    count = 0;
    /** Set when the keys were too many and varied to count within the memory allowed. */
    gaveUp = false;
    examples = [];
    parts = ENTRY_KEY_PARTS.map(() => new PartNumbers());
    /** Value types by name, numbered as first met. */
    types = new Map();
    typeNames = [];
    /** Per column of entries: its value type's number when its name ends in `Value`, else -1. */
    valueTypes = [];
    /** Per (period, type): the bit sets by (week, field), keys that stay small integers. */
    bits = [];
    bitsBytes = 0;
    reads = [];
    constructor(entries) {
        this.reads = entries.resolve(ENTRY_KEY_PARTS);
    }
    observe(table, element) {
        if (table.name !== 'entries' || this.gaveUp)
            return;
        const { reads, parts } = this;
        const period = parts[0].number(table, reads[0], element);
        const frame = parts[1].number(table, reads[1], element);
        const user = parts[2].number(table, reads[2], element);
        const field = parts[3].number(table, reads[3], element);
        const typeId = this.valueType(table);
        if (period > 0x3ff || frame > MAX_DISTINCT || field > MAX_DISTINCT || typeId > 0x3f) {
            return this.giveUp();
        }
        // 0x40 value types per period.
        const periodFirst = period * 0x40;
        // Stryker disable next-line ArithmeticOperator: periodFirst - typeId is as unique, typeId being below 0x40
        const groups = (this.bits[periodFirst + typeId] ??= new Map());
        // Stryker disable next-line ArithmeticOperator: frame / 0x10000 + field and frame * 0x10000 - field are as unique for frame and field below 0x10000
        const group = frame * 0x10000 + field;
        let set = groups.get(group);
        const byte = user >> 3;
        if (set === undefined || byte >= set.length) {
            const grown = new Uint8Array(Math.max(64, 2 * (byte + 1)));
            if (set)
                grown.set(set);
            this.bitsBytes += grown.length - (set?.length ?? 0);
            if (this.bitsBytes > MAX_BITS_BYTES)
                return this.giveUp();
            groups.set(group, grown);
            set = grown;
        }
        const bit = 1 << (user & 7);
        if ((set[byte] & bit) === 0) {
            set[byte] = set[byte] | bit;
            return;
        }
        this.count++;
        if (this.examples.length < EXAMPLES) {
            const key = reads.map(column => partText(table.json(column, element))).join('|');
            const type = this.typeNames[typeId];
            this.examples.push(cleanServerText(fromBinary(key + (type && ` (${type})`)), 200));
        }
    }
    /** The number of the element's value type: its first top-level member ending in `Value`, or ''. */
    valueType(table) {
        // `order` holds only the columns the element set.
        const { order, columns } = table;
        const { valueTypes } = this;
        for (let i = 0; i < table.orderLength; i++) {
            const column = order[i];
            let type = valueTypes[column];
            // Stryker disable next-line ConditionalExpression: speed only: the type computed again is the same number
            if (type === undefined) {
                const { key } = columns[column];
                type = valueTypes[column] = key.endsWith('Value') ? this.typeNumber(key) : -1;
            }
            if (type >= 0)
                return type;
        }
        return this.typeNumber('');
    }
    typeNumber(name) {
        let type = this.types.get(name);
        if (type === undefined) {
            this.types.set(name, (type = this.typeNames.length));
            this.typeNames.push(name);
        }
        return type;
    }
    giveUp() {
        this.gaveUp = true;
        this.bits.length = 0;
    }
    /** "3 entries repeat a key (…, …, …)", or undefined when none does. */
    warning() {
        if (this.gaveUp) {
            return 'entries: too many distinct keys to count repeated ones (duplicateKeys not recorded)';
        }
        if (this.count === 0)
            return undefined;
        const more = this.count > this.examples.length ? ', …' : '';
        return `entries: ${this.count} entr${this.count === 1 ? 'y repeats' : 'ies repeat'} the key of an earlier one (timePeriodId|timeFrameId|userId|fieldId: ${this.examples.join('; ')}${more}); rows are kept as Clari sent them`;
    }
}
/** A part as entryKey writes it: a string's contents, a number's text, else empty. */
function partText(json) {
    if (json === undefined)
        return '';
    const c = json.charCodeAt(0);
    if (c === 0x22)
        return decodeToBinary(json);
    return c === 0x2d || (c >= 0x30 && c <= 0x39) ? json : '';
}
// Raw forms of a part remembered by their bytes (beyond, a value is numbered by its text).
const MAX_CACHED = 0x10000;
/**
 * Numbers the distinct values of one key part in first-seen order. Values are met again and
 * again, so a hash table of the raw bytes seen recognises them without making a string: the
 * previous row's value first (a period, a user's run of entries), then the value that followed it
 * the last time (a user's fields come in the same order as the previous user's), then by a hash of
 * every byte. Different raw forms of one text ("a", "\u0061") get the one number of that text.
 */
class PartNumbers {
    ids = new Map();
    /** Per cached raw form: its bytes (a copy), hash, number, and the raw form met next (-1: none). */
    raws = [];
    hashes = [];
    rawIds = [];
    successors = [];
    /** Open addressing: a cached raw form's index + 1, 0 for an empty slot; half full at most. */
    slots = new Int32Array(256);
    last = -1;
    number(table, column, element) {
        if (table.stamps[column] !== element)
            return this.id('');
        const { bytes } = table.sources[column];
        const from = table.froms[column];
        const to = table.tos[column];
        // A value assembled by the engine (a repaired string) has no bytes: by its text.
        if (bytes.length === 0)
            return this.id(partText(table.json(column, element)));
        const { raws } = this;
        const last = this.last;
        // Stryker disable next-line BlockStatement: speed only: without the shortcuts the hash finds the same number
        if (last >= 0) {
            if (sameBytes(raws[last], bytes, from, to))
                return this.rawIds[last];
            const next = this.successors[last];
            if (next >= 0 && sameBytes(raws[next], bytes, from, to))
                return this.met(next);
        }
        // Stryker disable next-line ArithmeticOperator: speed only: a seed that varies with the position makes a repeat miss, and a miss numbers the value by its text
        let hash = to - from;
        for (let i = from; i < to; i++)
            hash = Math.imul(hash ^ bytes[i], 0x01000193);
        const { slots, hashes } = this;
        const mask = slots.length - 1;
        // Stryker disable next-line ArithmeticOperator: speed only: probing the other way may miss, and a miss numbers the value by its text
        for (let slot = hash & mask; slots[slot] !== 0; slot = (slot + 1) & mask) {
            // Stryker disable next-line ArithmeticOperator: speed only: another cached form is taken only if its bytes are the same, else it misses, and a miss numbers the value by its text
            const raw = slots[slot] - 1;
            if (hashes[raw] === hash && sameBytes(raws[raw], bytes, from, to))
                return this.met(raw);
        }
        const id = this.id(partText(table.json(column, element)));
        // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: the cache only saves making the text; its bound only bounds memory
        if (raws.length < MAX_CACHED) {
            // A copy: a view (Buffer's slice) would see the chunk's buffer reused, and keep it alive.
            raws.push(new Uint8Array(bytes.subarray(from, to)));
            hashes.push(hash);
            this.rawIds.push(id);
            this.successors.push(-1);
            this.met(raws.length - 1);
            if (2 * raws.length > slots.length)
                this.slots = new Int32Array(2 * slots.length);
            if (this.slots !== slots)
                for (let raw = 0; raw < raws.length; raw++)
                    this.place(raw);
            else
                this.place(raws.length - 1);
        }
        return id;
    }
    /** The number of cached raw form `raw`, met after the previous one. */
    met(raw) {
        // Stryker disable next-line ConditionalExpression,EqualityOperator: a successor only lets the next lookup skip the hash; a missing one costs the hash
        if (this.last >= 0)
            this.successors[this.last] = raw;
        this.last = raw;
        return this.rawIds[raw];
    }
    // Stryker disable ConditionalExpression,ArithmeticOperator,BlockStatement: speed only: a cached form not placed, or placed where it is not looked for, misses, and a miss numbers the value by its text
    place(raw) {
        const { slots } = this;
        const mask = slots.length - 1;
        let slot = this.hashes[raw] & mask;
        while (slots[slot] !== 0)
            slot = (slot + 1) & mask;
        slots[slot] = raw + 1;
    }
    // Stryker restore ConditionalExpression,ArithmeticOperator,BlockStatement
    id(text) {
        let id = this.ids.get(text);
        if (id === undefined)
            this.ids.set(ownCopy(text), (id = this.ids.size));
        return id;
    }
}
/**
 * Whether `bytes[from..to)` are `raw`'s bytes. From the end: parts that differ mostly differ there
 * (the weeks' dates, the numbers in ids), and a run of one user's entries asks about the previous
 * row's value first.
 */
function sameBytes(raw, bytes, from, to) {
    if (raw.length !== to - from)
        return false;
    for (let i = raw.length - 1; i >= 0; i--)
        if (raw[i] !== bytes[from + i])
            return false;
    return true;
}

;// CONCATENATED MODULE: ./src/engine/tables/file-chunks.ts

/**
 * A file's bytes in chunks, read into two buffers taken in turn: the next chunk is read while the
 * caller works on this one, and no memory is allocated per chunk (garbage buffers would raise the
 * process's peak memory until a collection). A chunk is valid until the next one is asked for.
 */
async function* fileChunks(file, size) {
    const handle = await (0,promises_namespaceObject.open)(file, 'r');
    const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
    let turn = 0;
    let reading = handle.read(buffers[turn], 0, size, null);
    try {
        for (;;) {
            const { bytesRead, buffer } = await reading;
            if (bytesRead === 0)
                return;
            turn ^= 1;
            reading = handle.read(buffers[turn], 0, size, null);
            yield buffer.subarray(0, bytesRead);
        }
    }
    finally {
        // A read still under way must end before its file is closed.
        await reading.catch(() => { });
        await handle.close();
    }
}

;// CONCATENATED MODULE: ./src/engine/tables/ndjson-rows.ts


/**
 * NDJSON rows: each element as Clari sent it (nested values included, numbers digit for digit),
 * after the action's columns. An element that is not plain (see RowSink.row) is written again
 * from its members: a repeated key keeps its first place and its last value, as JSON.parse does.
 */
class NdjsonRows {
    wantsSpan = true;
    redo = new Set();
    out = new Map();
    /** `{"forecastId":"…",…,"jobId":"…"`: the constant columns, the same in every row. */
    heads = new Map();
    /** `,"entryKey":`, … per computed column. */
    members = new Map();
    constructor(engine) {
        for (const table of engine.tables.values()) {
            this.out.set(table.name, new PendingBytes());
            const constants = table.constants.map(
            // Stryker disable next-line BooleanLiteral: the constants (forecast id, period, job id, ISO time) are validated ASCII, which toBinary leaves as it is
            c => `${jsonString(c.name)}:${jsonValue(c.constant(engine.context), true)}`);
            this.heads.set(table.name, Buffer.from(`{${constants.join(',')}`, 'latin1'));
            this.members.set(table.name, table.computing.map(({ column }) => `,${jsonString(column.name)}:`));
        }
    }
    row(table, _element, span, from, to) {
        const out = this.out.get(table.name);
        const head = this.heads.get(table.name);
        out.bytes(head, 0, head.length);
        const members = this.members.get(table.name);
        const { values } = table;
        for (let i = 0; i < members.length; i++) {
            out.text(members[i]);
            const value = values[i];
            if (typeof value === 'string')
                out.jsonString(value);
            else if (value instanceof Uint8Array)
                out.jsonBytes(value);
            else
                out.text(jsonValue(value, false));
        }
        if (span !== undefined) {
            // The element as sent, after our members.
            if (table.orderLength === 0)
                out.text('}\n');
            else {
                out.byte(0x2c);
                out.bytes(span.bytes, from + 1, to);
                out.byte(0x0a);
            }
            return;
        }
        const { order, columns, sources, froms, tos } = table;
        for (let i = 0; i < table.orderLength; i++) {
            const column = order[i];
            out.byte(0x2c);
            out.text(columns[column].jsonKey);
            out.byte(0x3a);
            out.slice(sources[column].text, froms[column], tos[column]);
        }
        out.text('}\n');
    }
    flush(write) {
        return writePending(this.out, write, WRITE_BYTES);
    }
    finish(write) {
        return writePending(this.out, write, 1);
    }
    notes() {
        return [];
    }
}
/** A derived value as JSON; `text` says a string is ordinary text (a constant), not binary. */
function jsonValue(value, text) {
    if (value === undefined)
        return 'null';
    if (typeof value === 'string')
        return jsonString(text ? toBinary(value) : value);
    return String(value);
}

;// CONCATENATED MODULE: ./src/engine/tables/parquet-format.ts
/**
 * The parts of the Parquet format (github.com/apache/parquet-format, parquet.thrift) the tables
 * need: flat schemas of optional or required columns, data pages (v1, PLAIN values, RLE
 * definition levels), constant columns dictionary-encoded, and the footer, in
 * Thrift's compact protocol. What DuckDB, BigQuery and Snowflake read; nothing more.
 */
/** Physical types (parquet.thrift `Type`). */
const BOOLEAN = 0;
const INT64 = 2;
const DOUBLE = 5;
const BYTE_ARRAY = 6;
/** Compression codecs (`CompressionCodec`). */
const UNCOMPRESSED = 0;
const GZIP = 2;
// Encodings, page types, repetition and converted types.
const PLAIN = 0;
const RLE = 3;
const RLE_DICTIONARY = 8;
const DATA_PAGE = 0;
const DICTIONARY_PAGE = 2;
const REQUIRED = 0;
const OPTIONAL = 1;
const UTF8 = 0;
const TIMESTAMP_MILLIS = 9;
const JSON_CONVERTED = 19;
const MAGIC = Buffer.from('PAR1', 'latin1');
/** The header of a data page of `size` bytes (`uncompressed` before compression). */
function dataPageHeader(values, uncompressed, size, dictionary = false) {
    const header = new CompactWriter();
    header.i32(1, DATA_PAGE);
    header.i32(2, uncompressed);
    header.i32(3, size);
    header.begin(5);
    header.i32(1, values);
    header.i32(2, dictionary ? RLE_DICTIONARY : PLAIN);
    header.i32(3, RLE);
    header.i32(4, RLE);
    header.end();
    header.end();
    return header.bytes();
}
/** A dictionary page of one PLAIN value (a constant column's). */
function dictionaryPage(value) {
    const header = new CompactWriter();
    header.i32(1, DICTIONARY_PAGE);
    header.i32(2, value.length);
    header.i32(3, value.length);
    header.begin(7);
    header.i32(1, 1);
    header.i32(2, PLAIN);
    header.end();
    header.end();
    return Buffer.concat([header.bytes(), value]);
}
/** A data page's values for `rows` rows that all take entry 0 of a dictionary. */
function constantIndexes(rows) {
    // Bit width 1, then one RLE run of zeros.
    return Buffer.from([1, ...varint(rows * 2), 0]);
}
/**
 * An optional column's definition levels (1 defined, 0 null), RLE/bit-packed hybrid with its
 * length in front, as data page v1 holds them: one run when all are alike, else bit-packed.
 */
function definitionLevels(defined, rows) {
    let ones = 0;
    for (let i = 0; i < rows; i++)
        ones += defined[i];
    if (ones === rows || ones === 0)
        return withLength([...varint(rows * 2), ones === 0 ? 0 : 1]);
    // Bit-packed straight into the page's bytes: per row, no list of numbers to build and copy.
    const groups = Math.ceil(rows / 8);
    const run = varint(groups * 2 + 1);
    const out = Buffer.alloc(4 + run.length + groups);
    out.writeUInt32LE(run.length + groups, 0);
    out.set(run, 4);
    let at = 4 + run.length;
    for (let first = 0; first < rows; first += 8) {
        let byte = 0;
        const bits = Math.min(8, rows - first);
        for (let bit = 0; bit < bits; bit++)
            byte |= defined[first + bit] << bit;
        out[at++] = byte;
    }
    return out;
}
/** Bytes with their length in front (four bytes, little-endian). */
function withLength(bytes) {
    const out = Buffer.alloc(4 + bytes.length);
    out.writeUInt32LE(bytes.length, 0);
    out.set(bytes, 4);
    return out;
}
/** The footer: FileMetaData, its length and the magic. */
function footer(schema, groups, createdBy) {
    const meta = new CompactWriter();
    meta.i32(1, 1);
    meta.list(2, STRUCT, schema.length + 1);
    meta.begin();
    meta.string(4, 'schema');
    meta.i32(5, schema.length);
    meta.end();
    for (const column of schema) {
        meta.begin();
        meta.i32(1, column.physical);
        meta.i32(3, column.required ? REQUIRED : OPTIONAL);
        meta.string(4, column.name);
        if (column.logical === 'string')
            meta.i32(6, UTF8);
        if (column.logical === 'json')
            meta.i32(6, JSON_CONVERTED);
        if (column.logical === 'timestamp')
            meta.i32(6, TIMESTAMP_MILLIS);
        if (column.logical !== undefined) {
            meta.begin(10);
            if (column.logical === 'timestamp') {
                meta.begin(8);
                meta.bool(1, true);
                meta.begin(2);
                meta.begin(1);
                meta.end();
                meta.end();
                meta.end();
            }
            else {
                meta.begin(column.logical === 'string' ? 1 : 12);
                meta.end();
            }
            meta.end();
        }
        meta.end();
    }
    meta.i64(3, groups.reduce((sum, g) => sum + g.rows, 0));
    meta.list(4, STRUCT, groups.length);
    for (const group of groups) {
        meta.begin();
        meta.list(1, STRUCT, group.chunks.length);
        for (const chunk of group.chunks) {
            meta.begin();
            meta.i64(2, chunk.dictionaryOffset ?? chunk.offset);
            meta.begin(3);
            meta.i32(1, chunk.column.physical);
            const dictionary = chunk.dictionaryOffset !== undefined;
            const encodings = dictionary ? [PLAIN, RLE, RLE_DICTIONARY] : [PLAIN, RLE];
            meta.list(2, I32, encodings.length);
            for (const encoding of encodings)
                meta.varint(zigzag(encoding));
            meta.list(3, BINARY, 1);
            meta.binary(Buffer.from(chunk.column.name, 'utf8'));
            meta.i32(4, chunk.codec);
            meta.i64(5, chunk.values);
            meta.i64(6, chunk.uncompressedSize);
            meta.i64(7, chunk.compressedSize);
            meta.i64(9, chunk.offset);
            if (dictionary)
                meta.i64(11, chunk.dictionaryOffset);
            meta.end();
            meta.end();
        }
        meta.i64(2, group.bytes);
        meta.i64(3, group.rows);
        meta.end();
    }
    meta.string(6, createdBy);
    meta.end();
    const bytes = meta.bytes();
    const length = Buffer.alloc(4);
    length.writeUInt32LE(bytes.length, 0);
    return Buffer.concat([bytes, length, MAGIC]);
}
// Compact protocol types.
const TRUE = 1;
const FALSE = 2;
const I32 = 5;
const I64 = 6;
const BINARY = 8;
const LIST = 9;
const STRUCT = 12;
/** Thrift's compact protocol, for the few shapes above: structs of ints, strings and lists. */
class CompactWriter {
    out = [];
    last = 0;
    lasts = [];
    // Short form only: every struct above writes its fields in ascending order, none more than 15
    // ids after the one before (the long form, a zigzag id, would serve other orders).
    field(id, type) {
        this.out.push(((id - this.last) << 4) | type);
        this.last = id;
    }
    i32(id, value) {
        this.field(id, I32);
        this.varint(zigzag(value));
    }
    i64(id, value) {
        this.field(id, I64);
        this.varint(zigzag(value));
    }
    bool(id, value) {
        this.field(id, value ? TRUE : FALSE);
    }
    string(id, value) {
        this.field(id, BINARY);
        this.binary(Buffer.from(value, 'utf8'));
    }
    binary(bytes) {
        this.varint(bytes.length);
        for (const byte of bytes)
            this.out.push(byte);
    }
    /** A struct: the value of field `id`, or (no id) an element of a list. */
    begin(id) {
        if (id !== undefined)
            this.field(id, STRUCT);
        this.lasts.push(this.last);
        this.last = 0;
    }
    end() {
        this.out.push(0);
        this.last = this.lasts.pop() ?? 0;
    }
    list(id, type, size) {
        this.field(id, LIST);
        if (size < 15)
            this.out.push((size << 4) | type);
        else {
            this.out.push(0xf0 | type);
            this.varint(size);
        }
    }
    varint(value) {
        this.out.push(...varint(value));
    }
    bytes() {
        return Buffer.from(this.out);
    }
}
/** ULEB128 of a whole number below 2^63 that doubles represent exactly. */
function varint(value) {
    const out = [];
    while (value >= 0x80) {
        out.push((value % 0x80) | 0x80);
        value = Math.floor(value / 0x80);
    }
    out.push(value);
    return out;
}
// Zigzag of a number that is never negative here (a count, size, offset or enum): twice itself.
const zigzag = (value) => value * 2;

;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
;// CONCATENATED MODULE: ./src/engine/tables/parquet-column.ts



// A column's values are cut into pages of about this many bytes as they come, each encoded and
// compressed at once: until its row group is written, memory holds the group's pages compressed
// rather than its values (measured: see docs/performance.md). The values' buffer grows by doubling
// to 128 KiB; a page is cut below that with room for the row after, so the buffer stays there.
// Fewer pages cost less CPU: each is a zlib engine that outlives young collections.
const PAGE_BYTES = 120 * 1024;
/**
 * One column of a Parquet table's file and its part of the row group being filled: the finished
 * pages (data page v1: definition levels, then PLAIN values; strings and JSON GZIP-compressed,
 * numbers and booleans, which gain little, not), and the values of the page being filled. A
 * constant column holds no values: its chunk is a dictionary of its one value and a page of
 * indexes to it.
 */
class ParquetColumn {
    type;
    constant;
    gzipInput;
    schema;
    codec;
    /** The values of the page being filled, PLAIN-encoded. */
    values = new PendingBytes(1024);
    /** Per row of that page: 1 when it has a value. */
    defined = new Uint8Array(1024);
    pageRows = 0;
    /** The row group's finished pages, each with its header. */
    pages = new PendingBytes(1024);
    /** Their size before compression, headers included. */
    uncompressed = 0;
    /** Bytes of values in them. */
    pagedBytes = 0;
    constructor(name, type, 
    /** Set for a constant column: its one value, PLAIN-encoded. */
    constant, 
    /** Where a page's levels and values are joined to be compressed (shared: one page at a time). */
    gzipInput) {
        this.type = type;
        this.constant = constant;
        this.gzipInput = gzipInput;
        const physical = type === 'double'
            ? DOUBLE
            : type === 'boolean'
                ? BOOLEAN
                : type === 'int64' || type === 'timestamp'
                    ? INT64
                    : BYTE_ARRAY;
        const logical = type === 'string' || type === 'json' || type === 'timestamp' ? type : undefined;
        const required = constant !== undefined;
        this.schema = { name, physical, required, ...(logical ? { logical } : {}) };
        this.codec = physical === BYTE_ARRAY && !required ? GZIP : UNCOMPRESSED;
    }
    /** Bytes of values in the row group so far: what decides where it is cut. */
    get valueBytes() {
        return this.pagedBytes + this.values.length;
    }
    /** The next row's definition level: 1 when it has a value. */
    define(defined) {
        const row = this.pageRows++;
        if (row >= this.defined.length) {
            const larger = new Uint8Array(2 * this.defined.length);
            larger.set(this.defined);
            this.defined = larger;
        }
        this.defined[row] = defined;
    }
    /** Called before a row's value is added: a full page is finished first, at a row's edge. */
    room() {
        if (this.values.length >= PAGE_BYTES)
            this.page();
    }
    /**
     * Appends the row group's column chunk (`rows` rows) to `out`, and starts the next group.
     * Returns where its data pages start in it (after a constant's dictionary page) and its size
     * before compression.
     */
    writeChunk(out, rows) {
        if (this.constant !== undefined) {
            const dictionary = dictionaryPage(this.constant);
            const indexes = constantIndexes(rows);
            const header = dataPageHeader(rows, indexes.length, indexes.length, true);
            for (const part of [dictionary, header, indexes])
                out.bytes(part, 0, part.length);
            return {
                dataStart: dictionary.length,
                uncompressed: dictionary.length + header.length + indexes.length
            };
        }
        this.page();
        const { pages, uncompressed } = this;
        out.bytes(pages.contents(), 0, pages.length);
        pages.clear();
        this.uncompressed = 0;
        this.pagedBytes = 0;
        return { dataStart: 0, uncompressed };
    }
    /** The page being filled, encoded (and compressed) onto the finished ones. */
    page() {
        const { values, pages } = this;
        const rows = this.pageRows;
        const levels = this.schema.required ? NO_BYTES : definitionLevels(this.defined, rows);
        const plain = this.type === 'boolean' ? packBits(values.contents()) : values.contents();
        const size = levels.length + plain.length;
        const body = this.codec === GZIP ? this.gzipped(levels, plain) : undefined;
        const header = dataPageHeader(rows, size, body?.length ?? size);
        pages.bytes(header, 0, header.length);
        if (body !== undefined)
            pages.bytes(body, 0, body.length);
        else {
            pages.bytes(levels, 0, levels.length);
            pages.bytes(plain, 0, plain.length);
        }
        this.uncompressed += header.length + size;
        this.pagedBytes += values.length;
        values.clear();
        this.pageRows = 0;
    }
    /**
     * GZIP of a data page's levels and values. Synchronous, on purpose: a compression in the thread
     * pool outlives a few young-generation collections, so its output buffers could be promoted and
     * then held until a full collection, which V8 starts only after 64 MB more of such memory.
     * Compressed at once, they die young.
     */
    gzipped(levels, values) {
        const input = this.gzipInput;
        input.clear();
        input.bytes(levels, 0, levels.length);
        input.bytes(values, 0, values.length);
        return gzipUnpooled(input.contents());
    }
}
// Each gzipSync leaves its first output chunk with its engine object, which outlives young
// collections and is freed only by a full one. A chunk from Node's buffer pool keeps the pool's
// whole 8 KiB slab alive (each page's engine a different slab: 3,000 pages of 120 KiB in a loop
// held up to 20-32 MB); one of its own holds only its size (1.5 MB with 256 bytes, 3.5 with 1 KiB).
const GZIP_OPTIONS = { level: 1, memLevel: 5, windowBits: 13, chunkSize: 256 };
/** gzipSync whose buffers are not slices of Node's pool (see GZIP_OPTIONS). */
function gzipUnpooled(input) {
    const poolSize = Buffer.poolSize;
    // Documented as modifiable; allocations below half of it come from the pool.
    Buffer.poolSize = 0;
    try {
        return (0,external_node_zlib_namespaceObject.gzipSync)(input, GZIP_OPTIONS);
    }
    finally {
        Buffer.poolSize = poolSize;
    }
}
const NO_BYTES = Buffer.alloc(0);
/** PLAIN booleans: one bit each, the first in the lowest bit. */
function packBits(bytes) {
    const out = Buffer.alloc(Math.ceil(bytes.length / 8));
    for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] === 1)
            out[i >> 3] = out[i >> 3] | (1 << (i & 7));
    }
    return out;
}

;// CONCATENATED MODULE: ./src/engine/tables/parquet-rows.ts





// A row group is written when it holds this many rows or bytes of values, whichever comes first.
// Until then memory holds its pages, each compressed once full (parquet-column.ts).
const ROW_GROUP_ROWS = 64 * 1024;
const ROW_GROUP_BYTES = 4 * 1024 * 1024;
const CREATED_BY = 'clari-forecast-export-action';
/**
 * Parquet rows with typed columns: the action's columns, then each declared field of the list
 * (schema.ts) as its type, then `extra`, a JSON object of every other member and of any member
 * whose value does not fit its declared type, so nothing Clari sent is dropped (null when there
 * is none). Strings and JSON are GZIP-compressed (numbers and booleans, which gain little, are
 * not); constant columns are dictionary-encoded. Row groups keep memory bounded.
 */
class ParquetRows {
    engine;
    wantsSpan = false;
    redo = new Set();
    tables = new Map();
    /** A page's levels and values, joined to be compressed (one page at a time). */
    gzipInput = new PendingBytes(1024);
    constructor(engine) {
        this.engine = engine;
        for (const table of engine.tables.values())
            this.tables.set(table.name, this.layout(table));
    }
    layout(table) {
        const column = (name, type, constant) => new ParquetColumn(name, type, constant, this.gzipInput);
        const constants = table.constants.map(c => column(c.name, c.type, plainValue(c.type, c.constant(this.engine.context))));
        const computed = table.computing.map(c => column(c.column.name, c.column.type));
        const declared = PAYLOAD_FIELDS[table.name].map(field => ({
            slot: column(field.name, field.type),
            column: table.resolve([field.name])[0]
        }));
        const extra = column('extra', 'json');
        const out = new PendingBytes();
        out.bytes(MAGIC, 0, MAGIC.length);
        return {
            constants,
            computed,
            declared,
            extra,
            slots: [...constants, ...computed, ...declared.map(d => d.slot), extra],
            rows: 0,
            groups: [],
            offset: MAGIC.length,
            out
        };
    }
    row(table, element) {
        const file = this.tables.get(table.name);
        file.rows++;
        const { values } = table;
        for (let i = 0; i < file.computed.length; i++)
            putDerived(file.computed[i], values[i]);
        let extra = '';
        const { columns, stamps, sources, froms, tos } = table;
        const { declared } = file;
        for (let i = 0; i < declared.length; i++) {
            const { slot, column } = declared[i];
            if (stamps[column] !== element) {
                slot.define(0);
                continue;
            }
            slot.room();
            const fits = put(slot, sources[column], froms[column], tos[column]);
            slot.define(fits === PUT ? 1 : 0);
            if (fits === MISFIT) {
                const json = table.json(column, element);
                extra += `${extra === '' ? '' : ','}${columns[column].jsonKey}:${json}`;
            }
        }
        const { order } = table;
        for (let i = 0; i < table.orderLength; i++) {
            const column = columns[order[i]];
            if (column.declared !== undefined || column.ours)
                continue;
            extra += `${extra === '' ? '' : ','}${column.jsonKey}:${table.json(order[i], element)}`;
        }
        if (extra === '')
            file.extra.define(0);
        else {
            file.extra.room();
            putBytes(file.extra.values, `{${extra}}`);
            file.extra.define(1);
        }
        // Cut by the rows, never where a chunk ends: the file is the same however the payload came.
        if (file.rows >= ROW_GROUP_ROWS || valueBytes(file) >= ROW_GROUP_BYTES)
            this.rowGroup(file);
    }
    async flush(write) {
        // A table with no bytes waiting is given none: writeInPieces writes nothing.
        for (const [name, file] of this.tables)
            await writeInPieces(write, name, file.out.take());
    }
    async finish(write) {
        for (const [name, file] of this.tables) {
            if (file.rows > 0)
                this.rowGroup(file);
            const end = footer(file.slots.map(s => s.schema), file.groups, CREATED_BY);
            file.out.bytes(end, 0, end.length);
            await writeInPieces(write, name, file.out.take());
        }
    }
    notes() {
        return [];
    }
    /** Writes the rows so far as one row group into `out`. */
    rowGroup(file) {
        const rows = file.rows;
        const chunks = [];
        let bytes = 0;
        for (const column of file.slots) {
            const offset = file.offset;
            const start = file.out.length;
            const { dataStart, uncompressed } = column.writeChunk(file.out, rows);
            const size = file.out.length - start;
            file.offset += size;
            bytes += uncompressed;
            chunks.push({
                column: column.schema,
                codec: column.codec,
                values: rows,
                offset: offset + dataStart,
                ...(column.constant !== undefined ? { dictionaryOffset: offset } : {}),
                uncompressedSize: uncompressed,
                compressedSize: size
            });
        }
        file.groups.push({ rows, bytes, chunks });
        file.rows = 0;
    }
}
/**
 * A row group's bytes in writes of at most WRITE_BYTES, as the other formats write: the worker's
 * buffers for them (table-files-host.ts) then all have one size and are reused.
 */
async function writeInPieces(write, table, bytes) {
    for (let at = 0; at < bytes.length; at += WRITE_BYTES)
        await write(table, bytes.subarray(at, at + WRITE_BYTES));
}
/** Bytes of values in the row group being filled. */
function valueBytes(file) {
    let bytes = 0;
    for (const s of file.slots)
        bytes += s.valueBytes;
    return bytes;
}
/** A BYTE_ARRAY value: its length, then its bytes (binary text). */
function putBytes(values, binary) {
    values.uint32(binary.length);
    values.text(binary);
}
// What became of a member's value in its typed column.
const PUT = 0;
const NULL = 1;
const MISFIT = 2;
/**
 * A member's value (its JSON text at `source[from..to)`) into the slot's typed column: PUT, NULL
 * (JSON null), or MISFIT when it is not of the slot's type. Read from the chunk's bytes where it
 * can be, making no string.
 */
function put(slot, source, from, to) {
    const { values } = slot;
    const { text, bytes } = source;
    const first = text.charCodeAt(from);
    if (first === 0x6e)
        return NULL;
    switch (slot.type) {
        case 'string': {
            if (first !== 0x22)
                return MISFIT;
            const start = values.length;
            values.uint32(to - from - 2);
            // Bytes with no escape are the string's UTF-8 already.
            if (bytes.length > 0 && values.plainBytes(bytes, from + 1, to - 1))
                return PUT;
            values.length = start;
            putBytes(values, decodeToBinary(text.slice(from, to)));
            return PUT;
        }
        case 'json':
            values.uint32(to - from);
            values.slice(text, from, to);
            return PUT;
        case 'double':
            if (first !== 0x2d && (first < 0x30 || first > 0x39))
                return MISFIT;
            values.float64(decimal(text, from, to) ?? Number(text.slice(from, to)));
            return PUT;
        case 'int64':
        case 'timestamp': {
            const n = wholeNumber(text, from, to);
            if (n === undefined)
                return MISFIT;
            values.int64(n);
            return PUT;
        }
        case 'boolean':
            if (first !== 0x74 && first !== 0x66)
                return MISFIT;
            values.byte(first === 0x74 ? 1 : 0);
            return PUT;
    }
}
const POWERS = Array.from({ length: 23 }, (_, i) => 10 ** i);
/**
 * A plain decimal (`-123.45`: no exponent, at most 15 digits) as the double Number() gives,
 * without making a string: both its digits and the power of ten are exact doubles, so one
 * division rounds correctly. Undefined for anything else (the caller uses Number()).
 */
function decimal(text, from, to) {
    const negative = text.charCodeAt(from) === 0x2d;
    let digits = 0;
    let n = 0;
    let point = -1;
    // Stryker disable next-line ArithmeticOperator,UpdateOperator: speed only: a start before the digits, or a walk back, meets a character no number has there, and Number() reads the value
    for (let i = negative ? from + 1 : from; i < to; i++) {
        const c = text.charCodeAt(i);
        // A JSON number (the tokenizer checked it) has at most one point.
        // Stryker disable next-line BlockStatement: speed only: a point not taken is no digit, which leaves the value to Number()
        if (c === 0x2e) {
            point = i;
            continue;
        }
        // Stryker disable next-line EqualityOperator: speed only: a digit refused (0, 9 or all) leaves the value to Number()
        if (c < 0x30 || c > 0x39)
            return undefined;
        n = n * 10 + (c - 0x30);
        // Stryker disable next-line EqualityOperator: speed only: a lower bound leaves more values to Number(), which reads the same double
        if (++digits > 15)
            return undefined;
    }
    const value = point === -1 ? n : n / POWERS[to - point - 1];
    return negative ? -value : value;
}
/** A JSON number that is a safe integer (epoch milliseconds, a year), else undefined. */
function wholeNumber(text, from, to) {
    const negative = text.charCodeAt(from) === 0x2d;
    let n = 0;
    // Stryker disable next-line ArithmeticOperator: speed only: a start before the sign meets a character no number has there, and the long way reads the value
    let i = negative ? from + 1 : from;
    // Fifteen digits are always exact; a longer or fractional number goes the long way.
    // Stryker disable next-line ArithmeticOperator,BlockStatement: speed only: skipping the fast path leaves every value to Number(), which reads the same integer
    if (to - i <= 15) {
        // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only: a loop cut short goes the long way; a step past the end meets the delimiter (no digit: same n) or NaN (the long way)
        for (; i < to; i++) {
            // Stryker disable next-line ArithmeticOperator: speed only: every character then reads as no digit, and the long way reads the value
            const c = text.charCodeAt(i) - 0x30;
            if (c < 0 || c > 9)
                break;
            n = n * 10 + c;
        }
        // Every character a digit (a token is never empty, and "-" alone is no JSON): a whole number.
        if (i === to)
            return negative ? -n : n;
    }
    // Number() makes NaN, no safe integer, of a value that is no number (a string, a literal, …).
    const value = Number(text.slice(from, to));
    return Number.isSafeInteger(value) ? value : undefined;
}
/** A derived value (a timestamp is ISO text; strings are binary text). */
function putDerived(slot, value) {
    if (value === undefined)
        return slot.define(0);
    slot.room();
    slot.define(1);
    const { values } = slot;
    if (value instanceof Uint8Array) {
        values.uint32(value.length);
        values.bytes(value, 0, value.length);
    }
    else if (slot.type === 'timestamp')
        values.int64(Date.parse(String(value)));
    else if (slot.type === 'double')
        values.float64(Number(value));
    else if (slot.type === 'int64')
        values.int64(Number(value));
    else if (slot.type === 'boolean')
        values.byte(value === true ? 1 : 0);
    else
        putBytes(values, String(value));
}
/** A constant's one value, PLAIN-encoded (it is ordinary text: made binary here). */
function plainValue(type, value) {
    // Sized for a short value (it grows as needed), not a table's rows.
    const bytes = new PendingBytes(16);
    if (type === 'timestamp')
        bytes.int64(Date.parse(String(value)));
    else
        putBytes(bytes, toBinary(String(value)));
    return Buffer.from(bytes.contents());
}

;// CONCATENATED MODULE: ./src/engine/tables/write-tables.ts













// Peak memory grows with the chunk (its bytes, their text and the rows made of them are garbage
// once written); 64 KiB keeps the tables pass well under the download's own peak.
const READ_CHUNK_BYTES = 64 * 1024;
/**
 * The five tables of one period's JSON payload, written by streaming passes (memory does not
 * grow with the payload) to `tables/<table>/snapshot_date=…/<forecast>_<period>_<job>.<format>`.
 *
 * The first pass is the download itself when there is one (`forDownload`: rows are made as the
 * bytes arrive, so the tables cost no second reading); a payload already on disk is read once.
 * A pass over the file follows only when the rows need it: a derived column's lookup, or a CSV
 * table that met a new column after its header was written. Each table file appears only
 * complete; when any table fails, none of this period's tables is left behind.
 */
class PeriodTables {
    request;
    openFile;
    pass;
    names;
    constructor(request, 
    /** Where the table files are written: on this thread unless a worker passes its own. */
    openFile = table_file_TableFile.create) {
        this.request = request;
        this.openFile = openFile;
        this.names = tableNames(request);
    }
    async forDownload() {
        await this.pass?.discard();
        this.pass = new TablesPass(this.request, this.names, this.openFile);
        return this.pass;
    }
    async finish(payloadPath) {
        try {
            let pass = this.pass;
            if (pass === undefined) {
                pass = this.pass = new TablesPass(this.request, this.names, this.openFile);
                await readPayload(payloadPath, pass, this.request);
            }
            return await pass.complete(payloadPath);
        }
        catch (error) {
            await this.discard();
            if (error instanceof TablesError || this.request.signal?.aborted)
                throw error;
            throw TablesError.unwritten(error_message_errorMessage(error));
        }
    }
    async discard() {
        await this.pass?.discard();
        this.pass = undefined;
        await removeTables(this.request.outputDir, this.names);
    }
}
/** The file names (inside the output folder) of a period's tables. */
function tableNames(request) {
    const { forecastId, period, snapshot, format } = request;
    return Object.fromEntries(TABLE_NAMES.map(table => [table, tableFileName(table, forecastId, period, snapshot, format)]));
}
/**
 * Removes these tables' files (tables left by an earlier run of this snapshot would no longer
 * match its payload). Never throws.
 */
async function removeTables(outputDir, names) {
    await Promise.all(Object.values(names).map(name => (0,promises_namespaceObject.rm)(external_node_path_default().join(outputDir, name), { force: true }).catch(() => { })));
}
/** The tables of a JSON payload already on disk (one pass, more only when the rows need them). */
function writeTables(payloadPath, request) {
    return new PeriodTables(request).finish(payloadPath);
}
/** One reading of the payload with the rows it writes, and the files they go to. */
class TablesPass {
    request;
    names;
    openFile;
    tap;
    duplicates;
    writer;
    files = new Map();
    opened;
    constructor(request, names, openFile) {
        this.request = request;
        this.names = names;
        this.openFile = openFile;
        const { forecastId, period, snapshot, columns } = request;
        this.tap = new RowEngine({ forecastId, period, snapshot }, columns);
        this.duplicates = new DuplicateKeys(this.tap.tables.get('entries'));
        this.tap.addObserver(this.duplicates);
        // With a lookup, the first pass only reads: rows need the whole of another list first.
        this.writer = this.tap.needsLookups ? undefined : this.newWriter();
        this.tap.startPass(this.writer, { observe: true, freeze: false });
    }
    newWriter(only) {
        const { format } = this.request;
        if (format === 'ndjson')
            return new NdjsonRows(this.tap);
        if (format === 'csv')
            return new CsvRows(this.tap, this.request.csvFormulaGuard, only);
        return new ParquetRows(this.tap);
    }
    /** Writes what the last chunk made. Never rejects: a problem waits in the engine's failure. */
    async afterChunk() {
        if (this.writer === undefined || this.tap.failure !== undefined)
            return;
        try {
            this.opened ??= this.open(TABLE_NAMES);
            await this.opened;
            await this.writer.flush(this.write);
        }
        catch (error) {
            this.tap.failure ??= error;
        }
    }
    write = async (table, bytes) => {
        await this.files.get(table).write(bytes);
    };
    /** Folders and temporary files for these tables. */
    async open(tables) {
        const { outputDir } = this.request;
        for (const table of tables) {
            const target = external_node_path_default().join(outputDir, this.names[table]);
            await makeFolders(outputDir, external_node_path_default().dirname(this.names[table]));
            await this.files.get(table)?.discard();
            this.files.set(table, await this.openFile(target));
        }
    }
    /** The payload was read through this pass: the passes it still needs, then the names. */
    async complete(payloadPath) {
        this.throwIfFailed();
        if (this.writer === undefined) {
            // The lookups are complete: now the rows, every column known.
            this.writer = this.newWriter();
            await this.again(payloadPath, TABLE_NAMES);
        }
        await this.finishWriter();
        for (let redo = this.writer.redo; redo.size > 0; redo = this.writer.redo) {
            this.writer = this.newWriter(redo);
            await this.again(payloadPath, [...redo]);
            await this.finishWriter();
        }
        const written = {};
        for (const table of TABLE_NAMES) {
            const rows = this.tap.tables.get(table).rows;
            written[table] = {
                file: this.names[table],
                rows,
                sha256: await this.files.get(table).commit()
            };
        }
        this.files.clear();
        return {
            tables: written,
            ...(this.duplicates.gaveUp ? {} : { duplicateKeys: this.duplicates.count }),
            repairedText: this.tap.repairedText,
            warnings: [
                ...[this.duplicates.warning()].flatMap(w => (w === undefined ? [] : [w])),
                ...(this.tap.repairedText > 0
                    ? [
                        `${this.tap.repairedText} string(s) held bytes that are not UTF-8 or half a surrogate pair; the tables have U+FFFD in their place (the payload is kept as sent)`
                    ]
                    : []),
                ...this.writer.notes()
            ]
        };
    }
    async finishWriter() {
        await this.afterChunk();
        this.throwIfFailed();
        await this.writer.finish(this.write);
    }
    /** Another pass over the payload on disk, writing only `tables` (their files made anew). */
    async again(payloadPath, tables) {
        this.opened = this.open(tables);
        this.tap.startPass(this.writer, { observe: false, freeze: true });
        await readPayload(payloadPath, this, this.request);
    }
    throwIfFailed() {
        const failure = this.tap.failure;
        if (failure !== undefined)
            throw failure;
    }
    async discard() {
        await this.opened?.catch(() => { });
        await Promise.all([...this.files.values()].map(file => file.discard()));
        this.files.clear();
    }
}
/** One streaming pass over the payload on disk: every chunk is checked and turned into rows. */
async function readPayload(payloadPath, pass, request) {
    const check = new JsonStreamCheck(pass.tap);
    const chunks = fileChunks(payloadPath, READ_CHUNK_BYTES);
    let read = 0;
    try {
        for (;;) {
            const next = await chunks.next().catch((error) => {
                throw new TablesError(`could not read the payload (${error_message_errorMessage(error)})`);
            });
            if (next.done)
                break;
            request.signal?.throwIfAborted();
            check.update(next.value);
            await pass.afterChunk();
            pass.throwIfFailed();
            read += next.value.length;
            request.onProgress?.(read);
        }
    }
    finally {
        await chunks.return(undefined);
    }
    const result = check.finish();
    if (!result.valid) {
        throw new TablesError(`the payload could not be read as JSON (${result.reason} at byte ${result.offset})`);
    }
    const got = result.firstTimePeriodId;
    if (got !== undefined && got !== request.period) {
        throw new TablesError(`the payload is for period ${got.slice(0, 40)}, not ${request.period}`);
    }
}
/** The folders of `relative` (inside the output folder), refusing a symlink or a file in their place. */
async function makeFolders(outputDir, relative) {
    await (0,promises_namespaceObject.mkdir)(outputDir, { recursive: true });
    let folder = '';
    for (const part of relative.split('/')) {
        folder = folder === '' ? part : `${folder}/${part}`;
        const full = external_node_path_default().join(outputDir, folder);
        await (0,promises_namespaceObject.mkdir)(full).catch((error) => {
            if (error.code !== 'EEXIST')
                throw error;
        });
        const stat = await (0,promises_namespaceObject.lstat)(full);
        if (!stat.isDirectory()) {
            throw new TablesError(`${folder} in the output folder is not a folder (a symlink?)`);
        }
    }
}

;// CONCATENATED MODULE: ./src/engine/tables/tables-worker.ts






/**
 * The tables worker (its own bundle, dist/tables-worker): a PeriodTables on a thread of its own,
 * fed the download's chunks by worker-tables.ts, so that the rows are made on the machine's
 * second core while the first downloads. It tokenizes the chunks itself, and its check of them
 * is the download's (the payload is tokenized once); the main thread writes and hashes the table files
 * (table-files-host.ts). Messages are handled in order; an abort, and the answers about files,
 * act at once.
 */
// The tokenizer makes one string of each piece it reads: past 128 KiB V8 allocates that as a
// large object, some 15 times dearer (measured), so a slab is read in pieces.
const PIECE = 64 * 1024;
const port = external_node_worker_threads_namespaceObject.parentPort;
const aborting = new AbortController();
const files = new RemoteTableFiles((request, transfer) => port.postMessage(request, transfer));
const tables = new PeriodTables({ ...external_node_worker_threads_namespaceObject.workerData, signal: aborting.signal }, files.open);
let download;
let queue = Promise.resolve();
const post = (message) => port.postMessage(message);
port.on('message', (message) => {
    if (message.type === 'abort')
        aborting.abort();
    // The chunk being handled may wait on these.
    else if (message.type === 'file')
        files.received(message);
    // A bug thrown here stops the worker: the main thread sees it end (worker-tables.ts).
    else
        queue = queue.then(() => handle(message)).catch(crash);
});
function crash(error) {
    queueMicrotask(() => {
        throw error;
    });
}
async function handle(message) {
    switch (message.type) {
        case 'download': {
            const reader = await tables.forDownload();
            download = { check: new JsonStreamCheck(reader.tap), reader };
            return;
        }
        case 'chunk': {
            const { bytes } = message;
            for (let at = 0; at < bytes.length && download && !aborting.signal.aborted; at += PIECE) {
                const piece = Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(PIECE, bytes.length - at));
                download.check.update(piece);
                await download.reader.afterChunk(piece);
            }
            return port.postMessage({ type: 'ack', bytes }, [bytes.buffer]);
        }
        case 'verdict':
            return post({ type: 'done', id: message.id, verdict: download?.check.finish() });
        case 'finish': {
            download = undefined;
            try {
                post({ type: 'done', id: message.id, result: await tables.finish(message.payloadPath) });
            }
            catch (error) {
                post({ type: 'done', id: message.id, failure: failureOf(error) });
            }
            return;
        }
        case 'discard': {
            download = undefined;
            await tables.discard();
            return post({ type: 'done', id: message.id });
        }
    }
}
function failureOf(error) {
    if (error instanceof TablesError) {
        return { tables: true, reason: error.reason, ...(error.table ? { table: error.table } : {}) };
    }
    return { tables: false, reason: error_message_errorMessage(error) };
}

