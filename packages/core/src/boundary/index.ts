export { CONTROL_FOLDERS, isControlPath, RUNTIME_FILES } from "./control-paths.js";
export {
  computerStopFile,
  personConfigDir,
  personControlFolders,
  personStateDir,
  STATE_DIR_ENV,
} from "./person-folders.js";
export { floorDecision } from "./floor.js";
export {
  findWorksiteId,
  isWorksiteId,
  newWorksiteId,
  WORKSITE_ID_FILE,
  worksiteId,
  worksiteStateDir,
} from "./worksite-id.js";
