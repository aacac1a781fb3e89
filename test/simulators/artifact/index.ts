export {
  startBlobStore,
  type BlobContainer,
  type BlobStore,
  type BlobStoreOptions,
  type StoredBlob
} from './blob-store.js'
export { type SasPermission } from './blob-sas.js'
export {
  startResultsService,
  type ArtifactRecord,
  type BackendIds,
  type DuplicateNames,
  type IdOrder,
  type RecordedCall,
  type ResultsService
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
  childEnv,
  runtimeToken,
  startArtifactStack,
  type ArtifactStack,
  type ArtifactStackOptions,
  type RunAttempt,
  type WorkflowRun
} from './stack.js'
export {
  listZipEntries,
  readZipDirectory,
  ZIP_METHOD_DEFLATE,
  ZIP_METHOD_STORED,
  type ZipEntry
} from './zip-reader.js'
export { zipStored } from './zip-writer.js'
export { emptyEntries, hostileZip, type HostileEntry } from './hostile-zips.js'
export { hostileModes, type HostileAnswer, type HostileModes } from './hostile.js'
