/*
 * Network-latency emulator for benchmarks: a TCP relay that holds every byte for a fixed one-way
 * delay in each direction, like `tc qdisc netem delay`, which this machine's kernel lacks
 * (CONFIG_NET_SCH_NETEM is not set). Written in C so the emulated network costs the machine
 * microseconds per packet, not the tens a Node relay would take from the code under test.
 *
 *   relay ONE_WAY_US LISTEN_BASE TARGET_BASE N
 *
 * Listens on 127.0.0.1:LISTEN_BASE+i and relays to 127.0.0.1:TARGET_BASE+i for i < N.
 * The TCP handshake is charged too: a client's first bytes reach the server 3 one-way delays
 * after it connected (SYN, SYN-ACK, then data), as on a real link. FIN and RST are delayed like
 * data. Prints "ready" on stdout when every port listens.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

typedef struct chunk {
  struct chunk *next;
  size_t len, off;
  int fin; /* 1: shut down the write side after this; 2: reset both */
  char data[];
} chunk;

typedef struct conn {
  int fd[2];             /* 0: client side, 1: upstream (server) side */
  int connected;         /* upstream connect finished */
  int dead;              /* closed; freed when no event refers to it */
  int refs;              /* events in the heap */
  int64_t floor[2];      /* earliest delivery towards side 0 / side 1 */
  int64_t last[2];       /* last due time towards each side (keeps order) */
  chunk *out[2], *tail[2]; /* bytes due but not yet written to each side */
  int eof_sent[2];
  int eof_read[2];
} conn;

typedef struct event {
  int64_t due;
  conn *c;
  int to; /* destination side */
  chunk *k;
} event;

static int64_t delay_ns;
static int ep, tfd;
static event *heap;
static size_t heap_len, heap_cap;
/* Dead conns wait here until no queued event or pending epoll event can still point at them. */
static conn **grave;
static size_t grave_len, grave_cap;

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void heap_push(event e) {
  if (heap_len == heap_cap) {
    heap_cap = heap_cap ? heap_cap * 2 : 1024;
    heap = realloc(heap, heap_cap * sizeof *heap);
    if (!heap) die("realloc");
  }
  size_t i = heap_len++;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (heap[p].due <= e.due) break;
    heap[i] = heap[p];
    i = p;
  }
  heap[i] = e;
}

static event heap_pop(void) {
  event top = heap[0], last = heap[--heap_len];
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    int64_t md = last.due;
    if (l < heap_len && heap[l].due < md) m = l, md = heap[l].due;
    if (r < heap_len && heap[r].due < md) m = r;
    if (m == i) break;
    heap[i] = heap[m];
    i = m;
  }
  if (heap_len) heap[i] = last;
  return top;
}

static void arm_timer(void) {
  struct itimerspec it = {0};
  if (heap_len) {
    int64_t d = heap[0].due;
    if (d <= 0) d = 1;
    it.it_value.tv_sec = d / 1000000000LL;
    it.it_value.tv_nsec = d % 1000000000LL;
  }
  if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &it, NULL) < 0) die("timerfd_settime");
}

/* epoll data: pointer tagged in the low bit with the side (conns are 8-byte aligned). */
static void watch(conn *c, int side, uint32_t events, int op) {
  struct epoll_event ev = {.events = events, .data.u64 = (uint64_t)(uintptr_t)c | (uint64_t)side};
  if (epoll_ctl(ep, op, c->fd[side], &ev) < 0 && op != EPOLL_CTL_DEL) die("epoll_ctl");
}

static void free_chunks(chunk *k) {
  while (k) {
    chunk *n = k->next;
    free(k);
    k = n;
  }
}

static void kill_conn(conn *c) {
  if (c->dead) return;
  c->dead = 1;
  for (int s = 0; s < 2; s++) {
    if (c->fd[s] >= 0) close(c->fd[s]);
    c->fd[s] = -1;
    free_chunks(c->out[s]);
    c->out[s] = c->tail[s] = NULL;
  }
  if (grave_len == grave_cap) {
    grave_cap = grave_cap ? grave_cap * 2 : 256;
    grave = realloc(grave, grave_cap * sizeof *grave);
    if (!grave) die("realloc");
  }
  grave[grave_len++] = c;
}

static void bury_the_dead(void) {
  for (size_t i = 0; i < grave_len;) {
    if (grave[i]->refs == 0) {
      free(grave[i]);
      grave[i] = grave[--grave_len];
    } else {
      i++;
    }
  }
}

/* Interest for one side: read until EOF; write while bytes wait (or the connect is pending). */
static void rewatch(conn *c, int side) {
  uint32_t e = c->eof_read[side] ? 0 : EPOLLIN;
  if (c->out[side] || (side == 1 && !c->connected)) e |= EPOLLOUT;
  watch(c, side, e, EPOLL_CTL_MOD);
}

static void schedule(conn *c, int to, chunk *k) {
  int64_t due = now_ns() + delay_ns;
  if (due < c->floor[to]) due = c->floor[to];
  if (due < c->last[to]) due = c->last[to];
  c->last[to] = due;
  c->refs++;
  heap_push((event){.due = due, .c = c, .to = to, .k = k});
}

/* Writes what is due towards `to`; leaves the rest queued and waits for EPOLLOUT. */
static void flush(conn *c, int to) {
  if (to == 1 && !c->connected) return;
  while (c->out[to]) {
    chunk *k = c->out[to];
    if (k->fin) {
      if (k->fin == 2) {
        kill_conn(c);
        return;
      }
      shutdown(c->fd[to], SHUT_WR);
      c->eof_sent[to] = 1;
    } else {
      ssize_t n = send(c->fd[to], k->data + k->off, k->len - k->off, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN) {
          rewatch(c, to);
          return;
        }
        kill_conn(c);
        return;
      }
      k->off += (size_t)n;
      if (k->off < k->len) {
        rewatch(c, to);
        return;
      }
    }
    c->out[to] = k->next;
    if (!c->out[to]) c->tail[to] = NULL;
    free(k);
  }
  if (c->eof_sent[0] && c->eof_sent[1]) kill_conn(c);
}

static void deliver(event e) {
  conn *c = e.c;
  c->refs--;
  if (c->dead) {
    free(e.k);
    return;
  }
  e.k->next = NULL;
  if (c->tail[e.to]) c->tail[e.to]->next = e.k;
  else c->out[e.to] = e.k;
  c->tail[e.to] = e.k;
  flush(c, e.to);
}

static void on_readable(conn *c, int from) {
  char buf[65536];
  for (;;) {
    ssize_t n = recv(c->fd[from], buf, sizeof buf, 0);
    if (n > 0) {
      chunk *k = malloc(sizeof *k + (size_t)n);
      if (!k) die("malloc");
      k->len = (size_t)n, k->off = 0, k->fin = 0;
      memcpy(k->data, buf, (size_t)n);
      schedule(c, 1 - from, k);
      if ((size_t)n < sizeof buf) return;
      continue;
    }
    if (n < 0 && errno == EAGAIN) return;
    chunk *k = calloc(1, sizeof *k);
    if (!k) die("calloc");
    k->fin = n == 0 ? 1 : 2;
    schedule(c, 1 - from, k);
    /* Stop reading this side; it has nothing more to say. */
    c->eof_read[from] = 1;
    rewatch(c, from);
    return;
  }
}

static int listen_on(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  if (fd < 0) die("socket");
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  if (listen(fd, 1024) < 0) die("listen");
  return fd;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: relay ONE_WAY_US LISTEN_BASE TARGET_BASE N\n");
    return 2;
  }
  delay_ns = atoll(argv[1]) * 1000LL;
  int lbase = atoi(argv[2]), tbase = atoi(argv[3]), n = atoi(argv[4]);
  ep = epoll_create1(0);
  tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  if (ep < 0 || tfd < 0) die("epoll/timerfd");
  /* Listeners and the timer are tagged with small integers; conns are heap pointers (> 4096). */
  struct epoll_event tev = {.events = EPOLLIN, .data.u64 = 1};
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &tev);
  int *lfd = calloc((size_t)n, sizeof *lfd);
  for (int i = 0; i < n; i++) {
    lfd[i] = listen_on(lbase + i);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 2 + (uint64_t)i * 2};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd[i], &ev);
  }
  printf("ready\n");
  fflush(stdout);

  struct epoll_event evs[256];
  for (;;) {
    int k = epoll_wait(ep, evs, 256, -1);
    if (k < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int j = 0; j < k; j++) {
      uint64_t tag = evs[j].data.u64;
      if (tag == 1) {
        uint64_t x;
        if (read(tfd, &x, sizeof x) < 0 && errno != EAGAIN) die("timerfd read");
        int64_t t = now_ns();
        while (heap_len && heap[0].due <= t) deliver(heap_pop());
        arm_timer();
      } else if (tag < 4096) {
        int i = (int)((tag - 2) / 2);
        for (;;) {
          int cfd = accept4(lfd[i], NULL, NULL, SOCK_NONBLOCK);
          if (cfd < 0) break;
          int one = 1;
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          conn *c = calloc(1, sizeof *c);
          if (!c) die("calloc");
          c->fd[0] = cfd;
          c->fd[1] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
          setsockopt(c->fd[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          int64_t t = now_ns();
          c->floor[1] = t + 3 * delay_ns; /* SYN, SYN-ACK, then the client's first bytes */
          c->floor[0] = t + 2 * delay_ns;
          struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(tbase + i)), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
          if (connect(c->fd[1], (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
            close(cfd);
            close(c->fd[1]);
            free(c);
            continue;
          }
          watch(c, 0, EPOLLIN, EPOLL_CTL_ADD);
          watch(c, 1, EPOLLIN | EPOLLOUT, EPOLL_CTL_ADD);
        }
      } else {
        conn *c = (conn *)(uintptr_t)(tag & ~(uint64_t)1);
        int side = (int)(tag & 1);
        if (c->dead) continue;
        uint32_t e = evs[j].events;
        if (c->eof_read[side] && (e & (EPOLLHUP | EPOLLERR)) && !c->out[side]) {
          /* Gone both ways and nothing left to write: stop hearing about it (HUP is level-triggered). */
          watch(c, side, 0, EPOLL_CTL_DEL);
          continue;
        }
        if (side == 1 && !c->connected && (e & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
          int err = 0;
          socklen_t l = sizeof err;
          getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &err, &l);
          if (err) {
            /* Upstream refused: the client sees a reset one round trip later, as on a link. */
            chunk *rst = calloc(1, sizeof *rst);
            rst->fin = 2;
            schedule(c, 0, rst);
            watch(c, 1, 0, EPOLL_CTL_DEL);
            c->eof_read[0] = 1;
            rewatch(c, 0);
            continue;
          }
          c->connected = 1;
          rewatch(c, 1);
          flush(c, 1);
          if (c->dead) continue;
          e &= ~(uint32_t)EPOLLOUT;
        }
        if (e & EPOLLOUT) {
          flush(c, side);
          if (c->dead) continue;
          rewatch(c, side);
        }
        if (!c->eof_read[side] && (e & (EPOLLIN | EPOLLHUP | EPOLLERR))) on_readable(c, side);
      }
    }
    arm_timer();
    bury_the_dead();
  }
}
