import { describeSizeMatrix, SIZE_CASES } from './sizeMatrix';

describeSizeMatrix('size matrix: no command exceeds a payload limit, whatever the sizes', SIZE_CASES);
