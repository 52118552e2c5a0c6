// The --jobs budget: a fixed number of slots that every copy job and every index build takes
// before it makes the target work, so that at most --jobs of them run at once.
#pragma once

#include <condition_variable>
#include <mutex>

namespace understudy::orchestrator {

/// A counting semaphore with two kinds of takers. An index build that waits (or is ready, see
/// set_index_build_ready) gets the next free slot before any copy job: the post-data tail waits for
/// indexes, while a copy that starts a little later is overtaken by nothing. Waiting blocks on a
/// condition variable (no polling). Slots come back when their Held is destroyed, exceptions
/// included. Thread-safe.
class WorkSlots {
public:
    enum class Taker { index_build, copy };

    /// Slots taken from a WorkSlots; gives them back when destroyed. Move-only.
    class Held {
    public:
        Held() = default;
        Held(Held&& other) noexcept;
        Held& operator=(Held&& other) noexcept;
        ~Held() { release(); }
        Held(const Held&) = delete;
        Held& operator=(const Held&) = delete;

        int count() const { return m_count; }
        /// Gives back all but `count` of the slots held (none if it holds no more than that).
        void keep(int count);
        void release() { keep(0); }

    private:
        friend class WorkSlots;
        Held(WorkSlots* owner, int count) : m_owner(owner), m_count(count) {}
        WorkSlots* m_owner = nullptr;
        int m_count = 0;
    };

    /// `size` slots, at least one.
    explicit WorkSlots(int size);
    WorkSlots(const WorkSlots&) = delete;
    WorkSlots& operator=(const WorkSlots&) = delete;

    /// Waits for one slot.
    Held take(Taker taker) { return take_up_to(1, taker); }
    /// Waits for one slot, then takes every other free one too, up to `most` in all: an index build
    /// turns the slots the copy left free into parallel maintenance workers.
    Held take_up_to(int most, Taker taker);

    /// Whether an index build is ready and will ask for a slot soon (its table just committed, on
    /// a copy worker's thread, and a builder thread is free to take it): while it is, copy jobs wait
    /// as if it already waited. A state, not a count: the builder sets it from its own state each
    /// time that changes, so nothing stale can hold the copies back.
    void set_index_build_ready(bool ready);

    int size() const { return m_size; }
    /// The most slots held at once so far.
    int peak() const;

private:
    void give_back(int count);

    mutable std::mutex m_mutex;
    std::condition_variable m_freed;
    const int m_size;
    int m_free;
    int m_peak = 0;
    int m_builds_waiting = 0;   ///< index builds waiting in take_up_to
    bool m_build_ready = false;  ///< set_index_build_ready
};

}  // namespace understudy::orchestrator
