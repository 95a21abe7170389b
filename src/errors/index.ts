export { FeederError } from './base';
export { stripUserinfo } from './scrub';
export { ConfigError, UsageError, describeFsError } from './config-error';
export { SourceError, SourceFormatError } from './source-error';
export { SinkError } from './sink-error';
export { LockBusyError } from './lock-error';
export { ShrinkRefusedError } from './shrink-error';
export { NoLiveIndexError } from './index-error';
export { ShapeChangedError } from './profile-error';
