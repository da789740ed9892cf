import { describeSizeMatrix, LONG_CASE } from './sizeMatrix';

// Its own file, so jest can run it beside the shorter cases; see LONG_CASE for its size.
describeSizeMatrix('size matrix, long: a session many runs long stays within every bound', [LONG_CASE]);
