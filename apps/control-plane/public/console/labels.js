// Korean labels, in the seeds' words.

export const STAGE = { standing: '서 있음', descent: '내려가는 중', bottom: '최저점', ascent: '올라오는 중' };
export const JUDGEMENT = { good: '좋음', bad: '나쁨', null: '판정 없음' };
export const JOINT = { lumbar: '허리', knee: '무릎', ankle: '발목', depth: '깊이' };
export const FSR_STATUS = { GOOD: '좋음', BAD: '나쁨', NO_DATA: '데이터 없음' };
export const FSR_STAGE = { DESCENT: '내려가는 중', ASCENT: '올라오는 중', UNKNOWN: '알 수 없음' };

/** What the console is doing, shown in the header (`data-state` carries the key). */
export const STATE = {
  idle: '대기 중',
  starting: '세션 요청 중…',
  'no-capacity': '서버 용량 부족 (503): 1초 후 다시 시도합니다',
  connecting: '분석 서버에 연결 중…',
  streaming: '분석 중',
  refreshing: '토큰 갱신 중…',
  reconnecting: '연결이 끊겼습니다: 재연결 중…',
  'token-expired': '토큰이 만료되었습니다: 새 토큰으로 재연결 중…',
  'clip-done': '클립 전송 완료',
  stopped: '정지됨',
  ended: '세션이 종료되었습니다',
  error: '오류',
};

/** Close codes of the data-plane socket (packages/contracts CLOSE_CODES), in words. */
export const CLOSE_REASON = {
  1000: '정상 종료',
  1001: '서버 종료',
  1006: '연결 끊김',
  1008: '인증 거부',
  1011: '서버 오류',
  1012: '서버 재시작 (다른 노드로 재연결)',
  1013: '서버 과부하',
  4001: '토큰 만료',
  4002: '다른 연결이 세션을 대체함',
  4003: '세션 종료됨',
  4008: '수신이 너무 느림',
  4009: '잘못된 메시지가 너무 많음',
};
