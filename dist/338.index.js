export const id = 338;
export const ids = [338];
export const modules = {

/***/ 48338:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   uploadArtifact: () => (/* binding */ uploadArtifact)
/* harmony export */ });
/* harmony import */ var _actions_artifact__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77935);
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(61351);
/* harmony import */ var _engine_reruns_earlier_artifacts_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(62046);



/**
 * Uploads the run's files as one artifact under `settings.name` (unique to the attempt after the
 * first), mirroring actions/upload-artifact: `overwrite` deletes an artifact of that name first.
 * Without it, a clash on the first attempt (a matrix leg's upload, or the client's own retry of
 * a create whose answer was lost) is not an error: the upload takes `attemptArtifactName` of it.
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
    const fallback = (0,_engine_reruns_earlier_artifacts_js__WEBPACK_IMPORTED_MODULE_2__/* .attemptArtifactName */ .tZ)(settings.name, runAttempt);
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


/***/ })

};
