export const id = 423;
export const ids = [423,338];
export const modules = {

/***/ 48338:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   L: () => (/* reexport safe */ _settings_parse_settings_js__WEBPACK_IMPORTED_MODULE_2__.LZ),
/* harmony export */   uploadArtifact: () => (/* binding */ uploadArtifact)
/* harmony export */ });
/* harmony import */ var _actions_artifact__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77935);
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(61351);
/* harmony import */ var _settings_parse_settings_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(69257);




/**
 * Uploads the run's files as one artifact under `settings.name` (unique to the attempt after the
 * first), mirroring actions/upload-artifact: `overwrite` deletes an artifact of that name first.
 * Without it, a clash on the first attempt (a matrix leg's upload, or the client's own retry of
 * a create whose answer was lost) is not an error: the upload takes `attemptName` of it instead.
 */
async function uploadArtifact(files, rootDirectory, settings, runAttempt) {
    const client = new _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .DefaultArtifactClient */ .t9();
    const upload = async (name) => {
        const result = await client.uploadArtifact(name, files, rootDirectory, {
            retentionDays: settings.retentionDays,
            compressionLevel: settings.compressionLevel
        });
        if (result.id === undefined)
            throw new Error(`artifact ${name}: the upload returned no id`);
        return {
            id: result.id,
            name,
            digest: result.digest ? `sha256:${result.digest}` : undefined,
            url: artifactUrl(result.id)
        };
    };
    if (settings.overwrite) {
        await client.deleteArtifact(settings.name).catch((error) => {
            if (!(error instanceof _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .ArtifactNotFoundError */ .CL))
                throw error;
        });
        return upload(settings.name);
    }
    const clash = (error, taken) => isNameClash(error)
        ? new Error(`${error.message}. The run already holds ${taken}: set overwrite: true to replace ${settings.name}, or give artifact-name a name of its own`)
        : error;
    try {
        return await upload(settings.name);
    }
    catch (error) {
        // After the first attempt the name is already the attempt's own.
        if (!isNameClash(error) || runAttempt > 1)
            throw clash(error, settings.name);
    }
    const fallback = (0,_settings_parse_settings_js__WEBPACK_IMPORTED_MODULE_2__/* .attemptName */ .LZ)(settings.name, runAttempt);
    return upload(fallback).catch((error) => {
        throw clash(error, `both ${settings.name} and ${fallback}`);
    });
}
// The toolkit reports a duplicate name only as a 409 in its message (no typed error): a re-run
// (names are unique per run, not per attempt), or its own retry of a create whose answer was lost.
const NAME_CLASH = /\(409\) Conflict/;
function isNameClash(error) {
    return error instanceof Error && NAME_CLASH.test(error.message);
}
function artifactUrl(id) {
    const { serverUrl, runId } = _actions_github__WEBPACK_IMPORTED_MODULE_1__/* .context */ ._;
    const repository = process.env.GITHUB_REPOSITORY;
    if (!repository || !runId)
        return undefined;
    return `${serverUrl}/${repository}/actions/runs/${runId}/artifacts/${id}`;
}


/***/ }),

/***/ 2423:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  findEarlierAttempt: () => (/* binding */ findEarlierAttempt)
});

// UNUSED EXPORTS: candidateNames, judgeManifest

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: external "node:timers/promises"
var external_node_timers_promises_ = __webpack_require__(58500);
// EXTERNAL MODULE: ./node_modules/@actions/artifact/lib/artifact.js + 84 modules
var artifact = __webpack_require__(77935);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(33838);
// EXTERNAL MODULE: ./node_modules/@actions/github/lib/github.js
var github = __webpack_require__(61351);
// EXTERNAL MODULE: ./src/clari/untrusted-text.ts
var untrusted_text = __webpack_require__(31825);
// EXTERNAL MODULE: ./src/engine/manifest.ts
var engine_manifest = __webpack_require__(66165);
// EXTERNAL MODULE: ./src/engine/outcome.ts
var outcome = __webpack_require__(938);
// EXTERNAL MODULE: ./src/action/artifact.ts
var action_artifact = __webpack_require__(48338);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(73024);
// EXTERNAL MODULE: external "node:stream/promises"
var external_node_stream_promises_ = __webpack_require__(46466);
// EXTERNAL MODULE: ./node_modules/yauzl/index.js
var yauzl = __webpack_require__(20663);
// EXTERNAL MODULE: ./src/base/error-message.ts
var error_message = __webpack_require__(29225);
;// CONCATENATED MODULE: ./src/action/zip-archive.ts






/** A zip that cannot be read: not a zip, truncated, or an entry that breaks the rules. */
class UnreadableZipError extends Error {
    name = 'UnreadableZipError';
}
/**
 * The bytes of the entry `name` (a path inside the zip), or undefined when the zip has none.
 * An entry larger than `maxBytes` is refused before any of it is read.
 */
async function readZipEntry(zipPath, name, maxBytes) {
    return withZip(zipPath, async (zip) => {
        for await (const entry of zip.eachEntry()) {
            if (entry.fileName !== name)
                continue;
            if (entry.uncompressedSize > maxBytes) {
                throw new UnreadableZipError(`${name} is larger than ${maxBytes} bytes`);
            }
            const chunks = [];
            // yauzl checks the bytes against the entry's declared size as they stream.
            for await (const chunk of await zip.openReadStreamPromise(entry))
                chunks.push(chunk);
            return Buffer.concat(chunks);
        }
        return undefined;
    });
}
/** Writes every entry under `dir`; yauzl refuses absolute names and `..` before we see them. */
async function extractZip(zipPath, dir) {
    await withZip(zipPath, async (zip) => {
        for await (const entry of zip.eachEntry()) {
            const target = external_node_path_default().join(dir, entry.fileName);
            if (entry.fileName.endsWith('/')) {
                await (0,promises_.mkdir)(target, { recursive: true });
                continue;
            }
            await (0,promises_.mkdir)(external_node_path_default().dirname(target), { recursive: true });
            // 'wx': a zip naming one file twice is refused rather than overwriting the first copy.
            await (0,external_node_stream_promises_.pipeline)(await zip.openReadStreamPromise(entry), (0,external_node_fs_.createWriteStream)(target, { flags: 'wx' }));
        }
    });
}
async function withZip(zipPath, use) {
    let zip;
    try {
        zip = await yauzl/* openPromise */.sO(zipPath, { lazyEntries: true, autoClose: false });
        return await use(zip);
    }
    catch (error) {
        // A file-system error (ENOSPC, EACCES) is the runner's problem, not the zip's.
        if (error instanceof UnreadableZipError || error.code)
            throw error;
        // yauzl's messages name the problem (bad signature, invalid relative path, …), not secrets.
        throw new UnreadableZipError((0,error_message/* errorMessage */.g)(error));
    }
    finally {
        zip?.close();
    }
}

;// CONCATENATED MODULE: ./src/action/earlier-attempt.ts











const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
// Each is a download: a run re-run many times keeps only the newest few in play.
const MAX_CANDIDATES = 10;
const REST_PAGE_SIZE = 100;
const REST_MAX_PAGES = 10;
const REST_RETRY_DELAY_MS = 1_000;
const NAMES_SHOWN = 4;
/**
 * Finds what an earlier attempt of this workflow run uploaded: lists the run's artifacts with
 * the runtime token (partial re-runs see the earlier attempts'), or else through the REST API
 * with the github-token; downloads those named as this action names its uploads; and keeps the
 * newest earlier attempt's whose manifest.json is this action's, for the same forecast.
 * Never throws for a lookup problem: the answer then says why there is nothing to resume from.
 */
async function findEarlierAttempt(lookup) {
    if (lookup.githubToken)
        core/* setSecret */.Pq(lookup.githubToken);
    const timeoutMs = lookup.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const signal = lookup.signal ? AbortSignal.any([deadline.signal, lookup.signal]) : deadline.signal;
    const gaveUp = new Promise(resolve => signal.addEventListener('abort', () => resolve({
        kind: 'lookup-failed',
        reason: lookup.signal?.aborted
            ? 'lookup failed: cancelled'
            : `lookup failed: gave up after ${formatSeconds(timeoutMs)}`
    }), { once: true }));
    core/* startGroup */.Oh(`Looking for what an earlier attempt of this run uploaded`);
    try {
        // The toolkit's own retries cannot be cancelled: the search stops at its next step, and
        // cleans up after itself, while the export goes ahead.
        const search = new Search(lookup, signal).run();
        search.catch(() => { });
        return await Promise.race([search, gaveUp]);
    }
    catch (error) {
        return { kind: 'lookup-failed', reason: `lookup failed: ${describe(error, lookup)}` };
    }
    finally {
        clearTimeout(timer);
        core/* endGroup */.N4();
    }
}
/**
 * Checks what an earlier manifest.json says about itself: made by this action, for this
 * forecast, in an earlier attempt of the run. Everything else in it is the caller's to check.
 */
function judgeManifest(manifest, expected) {
    if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
        return { kind: 'unreadable', reason: `its ${engine_manifest/* MANIFEST_FILE */.h1} is not a JSON object` };
    }
    const { tool, manifestVersion, forecastId, runAttempt } = manifest;
    // The same header planResume requires, so an older version never hides a usable attempt.
    if (tool !== outcome/* MANIFEST_TOOL */.X0 || manifestVersion !== outcome/* MANIFEST_VERSION */.hh) {
        return {
            kind: 'not-ours',
            reason: `its ${engine_manifest/* MANIFEST_FILE */.h1} was not made by ${outcome/* MANIFEST_TOOL */.X0} (manifest version ${outcome/* MANIFEST_VERSION */.hh})`
        };
    }
    if (forecastId !== expected.forecastId) {
        return {
            kind: 'other-forecast',
            reason: `it holds forecast ${JSON.stringify((0,untrusted_text/* cleanServerText */.Ct)(forecastId, 80))}, not ${expected.forecastId}`
        };
    }
    if (typeof runAttempt !== 'number' ||
        !Number.isInteger(runAttempt) ||
        runAttempt < 1 ||
        runAttempt >= expected.runAttempt) {
        return {
            kind: 'not-ours',
            reason: `its ${engine_manifest/* MANIFEST_FILE */.h1} records no earlier attempt (runAttempt ${(0,untrusted_text/* cleanServerText */.Ct)(runAttempt, 40) || 'missing'})`
        };
    }
    return { attempt: runAttempt };
}
/** Names this action gives the upload of attempt n: artifact-name, or `attemptName` of it. */
function candidateNames(lookup) {
    const names = new Set();
    lookup.artifactNames.slice(0, lookup.runAttempt - 1).forEach((name, index) => {
        names.add(name);
        names.add((0,action_artifact/* attemptName */.L)(name, index + 1));
    });
    return names;
}
class Search {
    lookup;
    signal;
    client = new artifact/* DefaultArtifactClient */.t9();
    names;
    verdicts = [];
    /** What each source said when it offered nothing usable. */
    trail = [];
    /** Artifacts already judged on their content: the other source lists them too. */
    judged = new Set();
    /** A listing failed: "none found" would then be a guess. */
    listingFailed = false;
    constructor(lookup, signal) {
        this.lookup = lookup;
        this.signal = signal;
        this.names = candidateNames(lookup);
    }
    async run() {
        if (this.names.size === 0) {
            return { kind: 'missing', reason: 'missing: this run has no earlier attempt' };
        }
        for (const source of [this.runtimeSource(), this.restSource()]) {
            if (this.signal.aborted)
                break;
            // A string says why the source cannot be asked.
            if (typeof source === 'string') {
                this.trail.push(source);
                continue;
            }
            const found = await this.searchWith(source);
            if (found)
                return found.earlier;
        }
        return this.nothing();
    }
    async searchWith(source) {
        let listed;
        try {
            listed = await source.list(this.signal);
        }
        catch (error) {
            this.listingFailed = true;
            this.trail.push(`${source.label} failed: ${describe(error, this.lookup)}`);
            return undefined;
        }
        const ours = listed.filter(a => this.names.has(a.name) && !this.judged.has(a.id));
        for (const artifact of ours.filter(a => a.expired)) {
            this.judged.add(artifact.id);
            this.verdicts.push({
                kind: 'expired',
                reason: `expired: ${label(artifact)} has expired`,
                createdAt: artifact.createdAt,
                final: true
            });
        }
        const live = ours
            .filter(a => !a.expired)
            .sort((a, b) => b.createdAt - a.createdAt)
            .slice(0, MAX_CANDIDATES);
        if (live.length === 0)
            this.trail.push(`${source.label} lists none`);
        let best;
        for (const artifact of live) {
            if (this.signal.aborted)
                break;
            const examined = await this.examine(artifact, source).catch(
            // Whatever broke (a full disk, a temporary folder that cannot be made), the artifact is
            // passed over and a usable one found already is kept.
            (error) => ({
                kind: 'unreadable',
                reason: `unreadable: ${label(artifact)}: ${describe(error, this.lookup)}`,
                createdAt: artifact.createdAt,
                final: false
            }));
            if ('reason' in examined) {
                if (examined.final)
                    this.judged.add(artifact.id);
                this.verdicts.push(examined);
                continue;
            }
            this.judged.add(artifact.id);
            // Ids are not ordered by attempt: the manifest's attempt decides, then the upload time.
            const newer = !best ||
                examined.earlier.attempt > best.earlier.attempt ||
                (examined.earlier.attempt === best.earlier.attempt && examined.createdAt > best.createdAt);
            const dropped = newer ? best : examined;
            if (newer)
                best = examined;
            if (dropped)
                await removeFolder(dropped.earlier.dir);
            if (best.earlier.attempt === this.lookup.runAttempt - 1)
                break;
        }
        if (best && this.signal.aborted) {
            await removeFolder(best.earlier.dir);
            return undefined;
        }
        return best;
    }
    async examine(artifact, source) {
        const verdict = (kind, why, final = true) => ({
            kind,
            reason: `${kind === 'not-ours' ? "not this action's" : kind.replace('-', ' ')}: ${label(artifact)}: ${why}`,
            createdAt: artifact.createdAt,
            final
        });
        const zipDir = await (0,promises_.mkdtemp)(external_node_path_default().join(this.lookup.tempDir, 'clari-earlier-zip-'));
        try {
            let digestMismatch;
            try {
                ;
                ({ digestMismatch } = await source.download(artifact, zipDir));
            }
            catch (error) {
                // The other source may still get it (the runtime download has broken before).
                return verdict('unreadable', `the download failed (${describe(error, this.lookup)})`, false);
            }
            if (digestMismatch)
                return verdict('unreadable', 'the download does not match its digest');
            const [file] = await (0,promises_.readdir)(zipDir);
            if (file === undefined)
                return verdict('unreadable', 'the download is empty');
            const zipPath = external_node_path_default().join(zipDir, file);
            let bytes;
            try {
                bytes = await readZipEntry(zipPath, engine_manifest/* MANIFEST_FILE */.h1, MAX_MANIFEST_BYTES);
            }
            catch (error) {
                if (!(error instanceof UnreadableZipError))
                    throw error;
                return verdict('unreadable', `not a readable zip (${(0,untrusted_text/* cleanServerText */.Ct)(error.message)})`);
            }
            if (!bytes)
                return verdict('unreadable', `it holds no ${engine_manifest/* MANIFEST_FILE */.h1}`);
            let manifest;
            try {
                manifest = JSON.parse(bytes.toString('utf8'));
            }
            catch {
                return verdict('unreadable', `its ${engine_manifest/* MANIFEST_FILE */.h1} is not JSON`);
            }
            const judged = judgeManifest(manifest, this.lookup);
            if ('reason' in judged)
                return verdict(judged.kind, judged.reason);
            const dir = await (0,promises_.mkdtemp)(external_node_path_default().join(this.lookup.tempDir, 'clari-earlier-attempt-'));
            try {
                await extractZip(zipPath, dir);
            }
            catch (error) {
                await removeFolder(dir);
                if (!(error instanceof UnreadableZipError))
                    throw error;
                return verdict('unreadable', `not a readable zip (${(0,untrusted_text/* cleanServerText */.Ct)(error.message)})`);
            }
            return {
                earlier: {
                    dir,
                    manifest: manifest,
                    attempt: judged.attempt,
                    artifactName: artifact.name
                },
                createdAt: artifact.createdAt
            };
        }
        finally {
            await removeFolder(zipDir);
        }
    }
    /** The newest unusable candidate's reason, or what the listings said. */
    nothing() {
        const [newest, ...others] = [...this.verdicts].sort((a, b) => b.createdAt - a.createdAt);
        if (newest) {
            const more = others.length > 0 ? ` (and ${others.length} older one(s) not usable)` : '';
            return { kind: newest.kind, reason: newest.reason + more };
        }
        if (this.listingFailed) {
            return { kind: 'lookup-failed', reason: `lookup failed: ${this.trail.join('; ')}` };
        }
        const names = [...this.names];
        const shown = names.slice(0, NAMES_SHOWN).join(', ') + (names.length > NAMES_SHOWN ? ', …' : '');
        return {
            kind: 'missing',
            reason: `missing: no artifact named ${shown} on this run (${this.trail.join('; ')})`
        };
    }
    runtimeSource() {
        return {
            label: 'the runtime listing',
            list: async () => (await this.client.listArtifacts()).artifacts.map(fromToolkit),
            download: (artifact, dir) => this.client.downloadArtifact(artifact.id, {
                path: dir,
                expectedHash: artifact.digest,
                skipDecompress: true
            })
        };
    }
    restSource() {
        const { githubToken: token, runId, repository } = this.lookup;
        const [owner = '', repo = ''] = repository.split('/');
        if (!token)
            return 'no REST fallback: github-token is empty';
        if (!/^\d+$/.test(runId) || !owner || !repo) {
            return 'no REST fallback: no run id or repository';
        }
        return {
            label: 'the REST API',
            list: signal => listThroughRest({ token, owner, repo, runId: Number(runId) }, signal),
            download: (artifact, dir) => this.client.downloadArtifact(artifact.id, {
                path: dir,
                expectedHash: artifact.digest,
                skipDecompress: true,
                findBy: {
                    token,
                    workflowRunId: Number(runId),
                    repositoryOwner: owner,
                    repositoryName: repo
                }
            })
        };
    }
}
/**
 * Lists the run's artifacts (every attempt's, expired ones flagged) with our own client rather
 * than the toolkit's `findBy` listing, whose retries against a dead API take ~55 s and cannot
 * be cancelled: this one stops when the lookup does, and retries a failed page once.
 */
async function listThroughRest(run, signal) {
    const octokit = github/* getOctokit */.Q(run.token);
    const listed = [];
    for (let page = 1; page <= REST_MAX_PAGES; page++) {
        const request = () => octokit.rest.actions.listWorkflowRunArtifacts({
            owner: run.owner,
            repo: run.repo,
            run_id: run.runId,
            per_page: REST_PAGE_SIZE,
            page,
            request: { signal }
        });
        const { data } = await request().catch(async (error) => {
            if (!isRetryable(error) || signal.aborted)
                throw error;
            await (0,external_node_timers_promises_.setTimeout)(REST_RETRY_DELAY_MS, undefined, { signal });
            return request();
        });
        const artifacts = Array.isArray(data.artifacts) ? data.artifacts : [];
        listed.push(...artifacts.flatMap(fromRest));
        if (artifacts.length < REST_PAGE_SIZE || page * REST_PAGE_SIZE >= Number(data.total_count)) {
            break;
        }
    }
    return listed;
}
function fromToolkit(artifact) {
    return {
        id: artifact.id,
        name: artifact.name,
        digest: artifact.digest || undefined,
        createdAt: artifact.createdAt?.getTime() || 0,
        expired: false
    };
}
/** A REST `artifact`, checked field by field; nothing when it is not one. */
function fromRest(raw) {
    if (typeof raw !== 'object' || raw === null)
        return [];
    const { id, name, digest, created_at: createdAt, expired } = raw;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1)
        return [];
    if (typeof name !== 'string')
        return [];
    return [
        {
            id,
            name,
            digest: typeof digest === 'string' && digest ? digest : undefined,
            createdAt: (typeof createdAt === 'string' && Date.parse(createdAt)) || 0,
            expired: expired === true
        }
    ];
}
function isRetryable(error) {
    const status = statusOf(error);
    return status === undefined || status === 429 || status >= 500;
}
function statusOf(error) {
    const status = error?.status;
    return typeof status === 'number' ? status : undefined;
}
/** One clean line about a failure: the REST status and what to do, never the token. */
function describe(error, lookup) {
    const message = (0,untrusted_text/* describeError */.Uc)(error, lookup.githubToken, 200);
    const status = statusOf(error);
    if (status === undefined || status === 500)
        return message;
    const hint = status === 401
        ? '; check github-token'
        : status === 403 || status === 404
            ? '; the token needs actions: read'
            : '';
    return `answered ${status} (${message})${hint}`;
}
function label(artifact) {
    return `artifact ${artifact.name} (id ${artifact.id})`;
}
async function removeFolder(dir) {
    await (0,promises_.rm)(dir, { recursive: true, force: true }).catch(() => { });
}
function formatSeconds(ms) {
    return `${Number((ms / 1000).toFixed(1))} s`;
}


/***/ })

};
