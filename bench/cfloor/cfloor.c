/* The floor of this machine's kernel path for the load bench (bench/load.sh --targets cfloor): one thread, one
 * epoll, and for every readable connection one recv and one send of a fixed answer. No parsing at all: each recv is
 * taken for one whole request, which holds for wrk's one-request-at-a-time connections and for nothing else. The
 * answer has recfeed's headers (a Date of fixed text) and a body of the given length, so the bytes on the wire match.
 *
 *   cfloor PORT BODY_LENGTH      listens on 127.0.0.1:PORT until SIGTERM or SIGINT
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static volatile sig_atomic_t stopping;
static void on_signal(int sig) { (void)sig; stopping = 1; }

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: cfloor PORT BODY_LENGTH\n"); return 2; }
  int port = atoi(argv[1]), body = atoi(argv[2]);
  if (port <= 0 || port > 65535 || body < 2 || body > 60000) { fprintf(stderr, "cfloor: bad port or length\n"); return 2; }

  static char answer[65536];
  int head = snprintf(answer, sizeof answer, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: application/json\r\n"
                      "Date: Mon, 07 Dec 2026 00:00:00 GMT\r\n\r\n", body);
  answer[head] = '[';
  memset(answer + head + 1, '1', (size_t)body - 2);
  answer[head + body - 1] = ']';
  size_t length = (size_t)head + (size_t)body;

  struct sigaction sa = {0};
  sa.sa_handler = on_signal; /* no SA_RESTART: epoll_wait returns EINTR and the loop ends */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, 4096) < 0) { perror("cfloor: listen"); return 1; }

  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  struct epoll_event events[256];
  static char input[65536];
  while (!stopping) {
    int n = epoll_wait(ep, events, 256, -1);
    if (n < 0) { if (errno == EINTR) continue; perror("cfloor: epoll_wait"); return 1; }
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        int c;
        while ((c = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      ssize_t got = recv(fd, input, sizeof input, 0);
      if (got > 0) {
        if (send(fd, answer, length, MSG_NOSIGNAL) == (ssize_t)length) continue;
      } else if (got < 0 && errno == EAGAIN) {
        continue;
      }
      close(fd); /* end of stream, an error, or a send the socket did not take whole: the floor does not queue */
    }
  }
  return 0;
}
