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


/**
 * Uploads the run's files as one artifact, mirroring actions/upload-artifact: `overwrite`
 * deletes an artifact of the same name first (GitHub rejects duplicate names within a run).
 */
async function uploadArtifact(files, rootDirectory, settings) {
    const client = new _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .DefaultArtifactClient */ .t9();
    if (settings.overwrite) {
        await client.deleteArtifact(settings.name).catch((error) => {
            if (!(error instanceof _actions_artifact__WEBPACK_IMPORTED_MODULE_0__/* .ArtifactNotFoundError */ .CL))
                throw error;
        });
    }
    const result = await client
        .uploadArtifact(settings.name, files, rootDirectory, {
        retentionDays: settings.retentionDays,
        compressionLevel: settings.compressionLevel
    })
        .catch((error) => {
        throw nameClashHint(error, settings);
    });
    if (result.id === undefined)
        throw new Error(`artifact ${settings.name}: the upload returned no id`);
    return {
        id: result.id,
        digest: result.digest ? `sha256:${result.digest}` : undefined,
        url: artifactUrl(result.id)
    };
}
// The toolkit reports a duplicate name only as a 409 in its message; re-runs are the usual cause.
const NAME_CLASH = /\(409\) Conflict/;
function nameClashHint(error, settings) {
    if (settings.overwrite || !(error instanceof Error) || !NAME_CLASH.test(error.message)) {
        return error;
    }
    return new Error(`${error.message}. Set overwrite: true to replace it, or put {run-attempt} in artifact-name so that each re-run uploads its own`);
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
