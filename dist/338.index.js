export const id = 338;
export const ids = [338];
export const modules = {

/***/ 48338:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   uploadArtifact: () => (/* binding */ uploadArtifact)
/* harmony export */ });
/* harmony import */ var _actions_artifact__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9645);
/* harmony import */ var _actions_github__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(61351);
/* harmony import */ var _engine_reruns_earlier_artifacts_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(62046);



/**
 * Uploads the run's files as one artifact, mirroring actions/upload-artifact: `overwrite`
 * deletes an artifact of the same name first (GitHub rejects duplicate names within a run).
 * Without it, a name the run already holds (an earlier attempt's, after a re-run) is not an
 * error: the upload takes `attemptArtifactName` of it instead.
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
    try {
        return await upload(settings.name);
    }
    catch (error) {
        if (!isNameClash(error))
            throw error;
    }
    const fallback = (0,_engine_reruns_earlier_artifacts_js__WEBPACK_IMPORTED_MODULE_2__/* .attemptArtifactName */ .tZ)(settings.name, runAttempt);
    return upload(fallback).catch((error) => {
        throw isNameClash(error)
            ? new Error(`${error.message}. The run already holds both ${settings.name} and ${fallback}: set overwrite: true to replace ${settings.name}, or give artifact-name a name of its own`)
            : error;
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
