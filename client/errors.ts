// The class lives in common/ so that every layer (storage/ and workers/ too) can throw it without
// importing client/; the library and the CLI keep importing it from here.
export { CouncilUserError } from '../common/userError';
