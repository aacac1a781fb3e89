export {
  startBlobStore,
  type BlobContainer,
  type BlobStore,
  type BlobStoreOptions,
  type StoredBlob
} from './blob-store.js'
export { type SasPermission } from './blob-sas.js'
export {
  REALISTIC_RESULTS_MODES,
  startResultsService,
  type ArtifactRecord,
  type DuplicateNames,
  type IdOrder,
  type InheritedArtifacts,
  type ResultsService,
  type ResultsServiceModes
} from './results-service.js'
export {
  startRestApi,
  type RestApi,
  type RestCall,
  type RestFault,
  type RestRun,
  type TokenGrant
} from './rest-api.js'
export {
  runtimeToken,
  RuntimeTokens,
  type BackendIds,
  type RuntimeCaller
} from './runtime-token.js'
export {
  childEnv,
  startArtifactStack,
  type ArtifactStack,
  type ArtifactStackOptions,
  type RunAttempt,
  type WorkflowRun
} from './stack.js'
export { type JsonObject, type RecordedCall, type TwirpService } from './twirp.js'
export {
  listZipEntries,
  readZipDirectory,
  ZIP_METHOD_DEFLATE,
  ZIP_METHOD_STORED,
  type ZipEntry
} from './zip-reader.js'
export { zipStored } from './zip-writer.js'
